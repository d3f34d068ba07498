import type { Config } from "../config.js";
import type { IndexStore } from "../index/store.js";
import type { Logger } from "../log.js";
import type { Embedder } from "../search/vectors.js";
import { createFetcher } from "./fetch.js";
import type { WebDeps } from "./ingest.js";

/** Web ingest as the configuration asks (SSRF protection unless ALLOW_PRIVATE_URLS, limits, FEEDS followed). */
export function webFromConfig(
  store: IndexStore,
  config: Readonly<Config>,
  log: Logger,
  embedder?: Embedder,
): WebDeps {
  const fetcher = createFetcher({
    allowPrivate: config.web.allowPrivate,
    timeoutMs: config.web.timeoutMs,
    maxBytes: config.web.maxBytes,
  });
  const feeds = store.feeds;
  for (const url of config.web.feeds) feeds.add(url, config.web.feedIntervalMinutes, null);
  return { store, fetcher, feeds, log, embedder };
}
