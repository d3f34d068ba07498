import type { IndexStore } from "../index/store.js";
import type { Logger } from "../log.js";
import { type Embedder, embedMissing } from "../search/vectors.js";

/** What the one after-change hook needs: the index, and the embedder when vectors are configured. */
export interface AfterChangeDeps {
  store: IndexStore;
  embedder?: Embedder;
  log: Pick<Logger, "warn">;
}

/**
 * The one thing every ingest runs after it changed the corpus (files, URLs and feeds alike): embed the passages that
 * have no vector yet. The index version is bumped inside each ingest's own transaction, so readers never see new
 * articles under an old version. A failing embedding provider is logged, never thrown: words still answer.
 */
export async function afterChange(
  deps: AfterChangeDeps,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  if (!deps.embedder) return 0;
  try {
    return await embedMissing(deps.store, deps.embedder, { onProgress });
  } catch (err) {
    deps.log.warn({ err }, "embedding new passages failed; answers use words only for them");
    return 0;
  }
}
