import FlexSearch from "flexsearch";
import type { Engine } from "./engine.js";

/** FlexSearch's Document index (its own contextual scoring; it has no BM25). */
export function createFlexSearchEngine(): Engine {
  // biome-ignore lint/suspicious/noExplicitAny: FlexSearch's bundled types do not describe the Document options used here.
  const Document = (FlexSearch as any).Document;
  const index = new Document({ document: { id: "id", index: ["title", "text"] }, tokenize: "forward" });
  let bytes = 0;
  return {
    name: "flexsearch",
    async add(docs) {
      for (const d of docs) {
        index.add(d);
        bytes += d.title.length + d.text.length;
      }
    },
    async finish() {},
    async search(query, k) {
      const results = index.search(query, { limit: k, suggest: true }) as {
        field: string;
        result: (string | number)[];
      }[];
      const seen: string[] = [];
      // Title matches first, as a boost.
      for (const field of ["title", "text"]) {
        for (const r of results.filter((x) => x.field === field)) {
          for (const id of r.result) if (!seen.includes(String(id))) seen.push(String(id));
        }
      }
      return seen.slice(0, k);
    },
    async sizeBytes() {
      // FlexSearch exports in many chunks through callbacks; the indexed text size is reported as a floor.
      return bytes;
    },
    async reopen() {
      return null;
    },
  };
}
