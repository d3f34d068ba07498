import MiniSearch from "minisearch";
import type { Engine, EngineDoc } from "./engine.js";

const OPTIONS = { fields: ["title", "text"], idField: "id" };

/** MiniSearch with its default BM25+ ranking, the title boosted like Verbatim's. */
export function createMiniSearchEngine(): Engine {
  let index = new MiniSearch<EngineDoc>(OPTIONS);
  return {
    name: "minisearch",
    async add(docs) {
      index.addAll(docs);
    },
    async finish() {},
    async search(query, k) {
      return index
        .search(query, { boost: { title: 2.5 }, combineWith: "OR" })
        .slice(0, k)
        .map((r) => String(r.id));
    },
    async sizeBytes() {
      return Buffer.byteLength(JSON.stringify(index));
    },
    async reopen() {
      const json = JSON.stringify(index);
      const started = performance.now();
      index = MiniSearch.loadJSON<EngineDoc>(json, OPTIONS);
      return performance.now() - started;
    },
  };
}
