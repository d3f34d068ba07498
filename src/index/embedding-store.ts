import type Database from "better-sqlite3";

/** Vectors by embedding model and passage content hash, beside the passages they were made from. */
export class EmbeddingStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      hashes: db.prepare<[string], { hash: string }>("SELECT hash FROM embeddings WHERE model = ?"),
      vectors: db.prepare<[string], { hash: string; vector: Buffer }>(
        "SELECT hash, vector FROM embeddings WHERE model = ?",
      ),
      passages: db.prepare<[], { id: number; text: string }>("SELECT id, text FROM passages"),
      put: db.prepare<[string, string, number, Buffer]>(
        "INSERT OR REPLACE INTO embeddings (model, hash, dim, vector) VALUES (?, ?, ?, ?)",
      ),
      count: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM embeddings WHERE model = ?"),
    };
  }

  /** Content hashes that already have a vector for `model`. */
  hashes(model: string): Set<string> {
    return new Set(this.stmts.hashes.all(model).map((r) => r.hash));
  }

  /** Every passage's id and text, streamed. */
  passages(): Iterable<{ id: number; text: string }> {
    return this.stmts.passages.iterate();
  }

  /** Every stored vector of `model`, streamed. */
  vectors(model: string): Iterable<{ hash: string; vector: Buffer }> {
    return this.stmts.vectors.iterate(model);
  }

  /** Store a vector for a content hash (replacing one of the same model). */
  put(model: string, hash: string, vector: Float32Array): void {
    this.stmts.put.run(
      model,
      hash,
      vector.length,
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
    );
  }

  /** How many vectors `model` has. */
  count(model: string): number {
    return this.stmts.count.get(model)?.n ?? 0;
  }
}
