import type { SqlConnection } from "./sql.js";

/** Rows read at a time when streaming every passage or vector, so memory stays bounded at any corpus size. */
const PAGE_ROWS = 1000;
/** Vectors written by one statement. */
const PUT_ROWS = 100;

/**
 * Vectors by embedding model and passage content hash, beside the passages they were made from. On both backends
 * they are stored as bytes (float32) and scored in the app (`search/vectors.ts`): PostgreSQL needs no pgvector.
 */
export class EmbeddingStore {
  constructor(private readonly sql: SqlConnection) {}

  /** Content hashes that already have a vector for `model`. */
  hashes(model: string): Set<string> {
    return new Set(
      this.sql
        .all<{ hash: string }>("SELECT hash FROM embeddings WHERE model = ?", [model])
        .map((r) => r.hash),
    );
  }

  /** Every passage's id and text, a page at a time. */
  *passages(): Generator<{ id: number; text: string }> {
    let after = 0;
    for (;;) {
      const page = this.sql.all<{ id: number; text: string }>(
        "SELECT id, text FROM passages WHERE id > ? ORDER BY id LIMIT ?",
        [after, PAGE_ROWS],
      );
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < PAGE_ROWS) return;
      after = Number(last.id);
    }
  }

  /** Every stored vector of `model`, a page at a time. */
  *vectors(model: string): Generator<{ hash: string; vector: Buffer }> {
    let after = "";
    for (;;) {
      const page = this.sql.all<{ hash: string; vector: Buffer }>(
        "SELECT hash, vector FROM embeddings WHERE model = ? AND hash > ? ORDER BY hash LIMIT ?",
        [model, after, PAGE_ROWS],
      );
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < PAGE_ROWS) return;
      after = last.hash;
    }
  }

  /** Store a vector for a content hash (replacing one of the same model). */
  put(model: string, hash: string, vector: Float32Array): void {
    this.putMany(model, [[hash, vector]]);
  }

  /** Store vectors for content hashes, many to a statement (on PostgreSQL each statement is a round trip). */
  putMany(model: string, entries: readonly (readonly [string, Float32Array])[]): void {
    // One row per hash in a statement (PostgreSQL refuses to update a row twice in one); the last vector wins.
    const unique = [...new Map(entries.map(([hash, v]) => [hash, v])).entries()];
    for (let from = 0; from < unique.length; from += PUT_ROWS) {
      const batch = unique.slice(from, from + PUT_ROWS);
      this.sql.run(
        `INSERT INTO embeddings (model, hash, dim, vector) VALUES ${batch.map(() => "(?, ?, ?, ?)").join(", ")}
         ON CONFLICT (model, hash) DO UPDATE SET dim = excluded.dim, vector = excluded.vector`,
        batch.flatMap(([hash, v]) => [
          model,
          hash,
          v.length,
          Buffer.from(v.buffer, v.byteOffset, v.byteLength),
        ]),
      );
    }
  }

  /** The models that have vectors. */
  models(): string[] {
    return this.sql
      .all<{ model: string }>("SELECT DISTINCT model FROM embeddings ORDER BY model")
      .map((r) => r.model);
  }

  /** How many vectors `model` has. */
  count(model: string): number {
    return Number(
      this.sql.get<{ n: number }>("SELECT count(*) AS n FROM embeddings WHERE model = ?", [model])?.n ?? 0,
    );
  }
}
