import { createHash } from "node:crypto";
import type { IndexStore } from "../index/store.js";

/** Something that turns texts into vectors (an OpenAI-compatible embeddings endpoint, or a test's). */
export interface Embedder {
  model: string;
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** The key a passage's vector is stored under: its content's hash, so re-ingest and model changes are handled. */
export function contentHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return v.map((x) => x * inv);
}

/**
 * Embed every passage that has no vector yet for the embedder's model, in batches, each batch committed on its own:
 * an interrupted run resumes where it stopped. Returns how many passages were embedded.
 */
export async function embedMissing(
  store: IndexStore,
  embedder: Embedder,
  options: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<number> {
  const have = store.embeddings.hashes(embedder.model);
  const todo = new Map<string, string>();
  for (const row of store.embeddings.passages()) {
    const hash = contentHash(row.text);
    if (!have.has(hash)) todo.set(hash, row.text);
  }
  const entries = [...todo];
  const size = options.batchSize ?? 64;
  for (let i = 0; i < entries.length; i += size) {
    const batch = entries.slice(i, i + size);
    const vectors = await embedder.embed(batch.map(([, text]) => text));
    const made = batch.flatMap(([hash], j) => {
      const v = vectors[j];
      return v ? [[hash, v] as const] : [];
    });
    store.transaction(() => store.embeddings.putMany(embedder.model, made));
    options.onProgress?.(Math.min(i + size, entries.length), entries.length);
  }
  return entries.length;
}

/**
 * Brute-force cosine search over the passages' vectors, kept in one Float32Array and reloaded when the index changes.
 * Fine to about 100k passages (bench/README.md); beyond that an ANN index would serve.
 */
export class VectorIndex {
  private version = -1;
  private matrix = new Float32Array(0);
  private dim = 0;
  private passageIds: number[][] = [];
  private ann: { version: number; index: Hnsw } | null = null;
  private building: Promise<void> | null = null;

  /**
   * @param annMinRows from this many vectors on, an HNSW index (hnswlib-node, an optional dependency) is built in the
   * background and answers queries once ready; brute force serves until then, and wherever hnswlib-node is missing.
   */
  constructor(
    private readonly store: IndexStore,
    private readonly model: string,
    private readonly annMinRows = 50_000,
  ) {}

  /** Resolves when a background ANN build (if one started) has finished. */
  async annReady(): Promise<boolean> {
    this.load();
    await this.building;
    return this.ann !== null && this.ann.version === this.version;
  }

  private startAnnBuild(): void {
    const version = this.version;
    const rows = this.passageIds.length;
    const dim = this.dim;
    const matrix = this.matrix;
    this.building = (async () => {
      type Ctor = new (space: "cosine", dim: number) => Hnsw;
      let Hierarchical: Ctor | undefined;
      try {
        // CommonJS: the class is a named export under some loaders and on `default` under others.
        const mod = (await import("hnswlib-node")) as unknown as {
          HierarchicalNSW?: Ctor;
          default?: { HierarchicalNSW?: Ctor };
        };
        Hierarchical = mod.HierarchicalNSW ?? mod.default?.HierarchicalNSW;
      } catch {
        return;
      }
      if (!Hierarchical) return;
      const index = new Hierarchical("cosine", dim);
      index.initIndex(rows, 16, 100, 42);
      for (let r = 0; r < rows; r++) {
        index.addPoint(Array.from(matrix.subarray(r * dim, (r + 1) * dim)), r);
        // Yield now and then, so that answering never waits for the build.
        if (r % 500 === 499) {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.version !== version) return;
        }
      }
      index.setEf(Math.max(64, 2 * 50));
      this.ann = { version, index };
    })()
      // A failed build leaves brute force in charge; it must never take the process down.
      .catch(() => undefined)
      .finally(() => {
        this.building = null;
      });
  }

  private load(): void {
    const version = this.store.version();
    if (version === this.version) return;
    const vectors = new Map<string, Float32Array>();
    for (const r of this.store.embeddings.vectors(this.model)) {
      vectors.set(
        r.hash,
        normalize(
          new Float32Array(
            r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength),
          ),
        ),
      );
    }
    const byHash = new Map<string, number[]>();
    for (const row of this.store.embeddings.passages()) {
      const h = contentHash(row.text);
      if (!vectors.has(h)) continue;
      const list = byHash.get(h) ?? [];
      list.push(row.id);
      byHash.set(h, list);
    }
    this.dim = vectors.values().next().value?.length ?? 0;
    this.passageIds = [];
    this.matrix = new Float32Array(byHash.size * this.dim);
    let i = 0;
    for (const [hash, ids] of byHash) {
      const v = vectors.get(hash);
      if (!v || v.length !== this.dim) continue;
      this.matrix.set(v, i * this.dim);
      this.passageIds.push(ids);
      i++;
    }
    this.version = version;
  }

  /** The `k` passages most similar to the vector, with their cosine similarity. */
  nearest(query: Float32Array, k: number): { id: number; similarity: number }[] {
    this.load();
    const dim = this.dim;
    if (dim === 0 || query.length !== dim) return [];
    const q = normalize(query);
    if (this.ann && this.ann.version === this.version) {
      const found = this.ann.index.searchKnn(Array.from(q), Math.min(k, this.passageIds.length));
      return found.neighbors
        .flatMap((row, i) =>
          (this.passageIds[row] ?? []).map((id) => ({ id, similarity: 1 - (found.distances[i] ?? 1) })),
        )
        .slice(0, k);
    }
    if (!this.building && this.passageIds.length >= this.annMinRows && this.ann?.version !== this.version)
      this.startAnnBuild();
    const m = this.matrix;
    const rows = this.passageIds.length;
    // The k best rows so far, kept sorted best first; a row enters only when it beats the worst of them.
    const best: { row: number; score: number }[] = [];
    let floor = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < rows; r++) {
      const base = r * dim;
      // Four accumulators let the loop run without waiting on one sum; indexes are in range by construction.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let d = 0;
      for (; d + 3 < dim; d += 4) {
        a0 += (m[base + d] as number) * (q[d] as number);
        a1 += (m[base + d + 1] as number) * (q[d + 1] as number);
        a2 += (m[base + d + 2] as number) * (q[d + 2] as number);
        a3 += (m[base + d + 3] as number) * (q[d + 3] as number);
      }
      for (; d < dim; d++) a0 += (m[base + d] as number) * (q[d] as number);
      const dot = a0 + a1 + a2 + a3;
      if (best.length < k || dot > floor) {
        let i = best.length;
        while (i > 0 && (best[i - 1] as { score: number }).score < dot) i--;
        best.splice(i, 0, { row: r, score: dot });
        if (best.length > k) best.pop();
        floor = (best[best.length - 1] as { score: number }).score;
      }
    }
    return best
      .flatMap(({ row, score }) => (this.passageIds[row] ?? []).map((id) => ({ id, similarity: score })))
      .slice(0, k);
  }
}

/** The part of hnswlib-node's HierarchicalNSW that is used. */
interface Hnsw {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  addPoint(point: number[], label: number): void;
  searchKnn(query: number[], k: number): { distances: number[]; neighbors: number[] };
  setEf(ef: number): void;
}
