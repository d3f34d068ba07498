import type { Config } from "../config.js";
import type { Corpus } from "../index/open.js";
import type { Logger } from "../log.js";
import { createOpenAIEmbedder } from "../search/openai-embedder.js";
import type { State } from "../state/state.js";
import { createAnswerer } from "./answerer.js";
import { createLlmComposer } from "./llm.js";

/** The answerer a configuration asks for: extractive always; an LLM with OPENAI_API_KEY; vectors with OPENAI_EMBEDDING_MODEL. */
export function answererFromConfig(corpus: Corpus, config: Readonly<Config>, log: Logger, state?: State) {
  const o = config.openai;
  const llm = o.apiKey
    ? createLlmComposer({
        apiKey: o.apiKey,
        baseURL: o.baseURL,
        model: o.model,
        timeoutMs: o.timeoutMs,
        maxRetries: o.maxRetries,
      })
    : undefined;
  const embedder = o.apiKey && o.embeddingModel ? embedderFromConfig(config) : undefined;
  return createAnswerer({
    corpus,
    config,
    log,
    llm,
    embedder,
    cache: state?.ns("cache"),
    quota:
      state && Number.isFinite(o.dailyLimit)
        ? state.limits.limit("llm-daily", o.dailyLimit, 2 * 86_400)
        : undefined,
  });
}

/** The embedder a configuration asks for, or undefined. */
export function embedderFromConfig(config: Readonly<Config>) {
  const o = config.openai;
  if (!o.apiKey || !o.embeddingModel) return undefined;
  return createOpenAIEmbedder({
    apiKey: o.apiKey,
    baseURL: o.baseURL,
    model: o.embeddingModel,
    timeoutMs: o.timeoutMs,
    maxRetries: o.maxRetries,
  });
}
