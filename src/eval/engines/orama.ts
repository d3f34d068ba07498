import { create, insertMultiple, load, save, search } from "@orama/orama";
import type { Engine } from "./engine.js";

const SCHEMA = { id: "string", title: "string", text: "string" } as const;

/** Orama's full-text index (BM25), the title boosted like Verbatim's. */
export async function createOramaEngine(): Promise<Engine> {
  let db = create({ schema: SCHEMA });
  return {
    name: "orama",
    async add(docs) {
      await insertMultiple(db, docs, 1000);
    },
    async finish() {},
    async search(query, k) {
      const result = (await search(db, {
        term: query,
        properties: ["title", "text"],
        boost: { title: 2.5 },
        limit: k,
      })) as { hits: { document: { id: string } }[] };
      return result.hits.map((h) => h.document.id);
    },
    async sizeBytes() {
      return Buffer.byteLength(JSON.stringify(save(db)));
    },
    async reopen() {
      const raw = JSON.parse(JSON.stringify(save(db)));
      const started = performance.now();
      const fresh = create({ schema: SCHEMA });
      load(fresh, raw);
      db = fresh;
      return performance.now() - started;
    },
  };
}
