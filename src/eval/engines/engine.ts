/** A document as the comparison engines index it. */
export interface EngineDoc {
  id: string;
  title: string;
  text: string;
}

/** A full-text engine under comparison: add documents, then rank them for a query. */
export interface Engine {
  name: string;
  add(docs: EngineDoc[]): Promise<void>;
  /** Called once after the last `add`. */
  finish(): Promise<void>;
  /** Ids of the best `k` documents, best first. */
  search(query: string, k: number): Promise<string[]>;
  /** Size of the index as it would be stored (serialised), in bytes. */
  sizeBytes(): Promise<number>;
  /** Rebuild from the stored form and return the time it took, in ms (null where the engine cannot). */
  reopen(): Promise<number | null>;
}

/** The in-memory JavaScript engines a developer might pick instead of Verbatim's SQLite index. */
export const ALTERNATIVES = ["minisearch", "orama", "flexsearch"] as const;
export type Alternative = (typeof ALTERNATIVES)[number];

/** Create an alternative engine by name (its package is a dev dependency, loaded only here). */
export async function createAlternative(name: Alternative): Promise<Engine> {
  switch (name) {
    case "minisearch":
      return (await import("./minisearch.js")).createMiniSearchEngine();
    case "orama":
      return (await import("./orama.js")).createOramaEngine();
    case "flexsearch":
      return (await import("./flexsearch.js")).createFlexSearchEngine();
  }
}
