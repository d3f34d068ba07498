import type { Answerer } from "./answer/answerer.js";
import { answererFromConfig, embedderFromConfig } from "./answer/setup.js";
import type { Config } from "./config.js";
import { type Corpus, openCorpus } from "./index/open.js";
import { afterChange } from "./ingest/after-change.js";
import type { Logger } from "./log.js";
import type { Embedder } from "./search/vectors.js";
import type { Lease } from "./state/locks.js";
import { openState, type State } from "./state/state.js";
import { FeedPoller, type WebDeps } from "./web/ingest.js";
import { webFromConfig } from "./web/setup.js";

/** The object graph every door shares: built in one place, closed in one place. */
export interface App {
  config: Readonly<Config>;
  log: Logger;
  corpus: Corpus;
  state: State;
  answerer: Answerer;
  /** The configured embedder (OPENAI_EMBEDDING_MODEL with a key), if any. */
  embedder?: Embedder;
  web: WebDeps;
  /** Polls followed feeds; it belongs to the app, so feeds are followed whether or not Discord is connected. */
  feeds: FeedPoller;
  /** Start the work that runs beside the doors: embedding new passages, checking the model key, polling feeds. */
  startBackground(): void;
  /** Stop background work and close the state, the fetcher and the index, in that order. */
  close(): Promise<void>;
}

/** Build the app a configuration describes: the index, the state store, the answerer and web ingest. */
export async function createApp(
  config: Readonly<Config>,
  log: Logger,
  options: {
    clock?: () => Date;
    /** Another index file than INDEX_PATH (the CLI's --index). */
    indexPath?: string;
    /** Another state store than STATE_URL: the CLI keeps its state in memory, so it leaves no file behind. */
    stateUrl?: string;
  } = {},
): Promise<App> {
  const corpus = openCorpus(config, options.indexPath);
  let state: State;
  try {
    state = await openState(options.stateUrl ?? config.stateUrl);
  } catch (error) {
    corpus.store.close();
    throw error;
  }
  const embedder = embedderFromConfig(config);
  const answerer = answererFromConfig(corpus, config, log, state);
  const web = webFromConfig(corpus.store, config, log, embedder);
  // Feeds are polled by one process at a time (the bot, or `npm run worker`), whichever holds the lease.
  let polling: Lease | null = null;
  const feeds = new FeedPoller(web, options.clock, () => polling?.held() ?? false);
  let closed = false;
  return {
    config,
    log,
    corpus,
    state,
    answerer,
    embedder,
    web,
    feeds,
    startBackground() {
      // Network calls to the model provider run beside start-up, not before it: a slow or unreachable provider
      // must not keep the doors shut. Until they finish, answers use what is already there (words, stored vectors).
      if (embedder) {
        void afterChange(web).then((embedded) =>
          log.info({ embedded, model: embedder.model }, "embeddings up to date"),
        );
      }
      void answerer.checkLlm().then(() =>
        log.info(
          {
            llm:
              config.openai.apiKey && !answerer.llmDisabled
                ? config.openai.model
                : "off (extractive answers)",
            embeddings: embedder?.model ?? "off",
          },
          "answer modes",
        ),
      );
      polling = state.locks.lease("feed-polling", config.leaseSeconds * 1000);
      void polling.ready.then(() => {
        if (!closed) feeds.start();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      feeds.stop();
      await polling?.release();
      await web.fetcher.close();
      await state.close();
      corpus.store.close();
    },
  };
}
