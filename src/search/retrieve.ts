import { inWindow, sourceMatches } from "../index/filters.js";
import type { IndexStore } from "../index/store.js";
import type { Logger } from "../log.js";
import type { SynonymMap } from "../text/lexicon.js";
import type { Hit } from "../types.js";
import { fuse } from "./fusion.js";
import { type SearchMode, type SearchResult, search } from "./lexical.js";
import { parseQuery } from "./query.js";
import type { Embedder, VectorIndex } from "./vectors.js";

/** Longest question the pipeline reads; longer text is cut (doors may refuse earlier, politely). */
export const MAX_QUESTION_CHARS = 10_000;

/** What retrieval reads: the index, the lexicon and, when configured, vectors. */
export interface RetrievalDeps {
  store: IndexStore;
  synonyms?: SynonymMap;
  embedder?: Embedder;
  vectors?: VectorIndex;
  log?: Pick<Logger, "warn">;
}

/** Options for `retrieve`. */
export interface RetrieveOptions {
  /** Passages to return. */
  limit: number;
  mode?: SearchMode;
  /** Only articles dated in this window (YYYY-MM-DD, `[from, to)`). */
  window?: { from: string; to: string };
  /** Only articles from this source (a site name or a web host). */
  source?: string;
}

/**
 * Find the passages a question is about: BM25 over the index, fused by reciprocal rank with vector neighbours when
 * an embedder is configured. Throws `EMPTY_QUERY` when the question has nothing to search for.
 */
export async function retrieve(
  deps: RetrievalDeps,
  question: string,
  options: RetrieveOptions,
): Promise<SearchResult> {
  const text = question.slice(0, MAX_QUESTION_CHARS);
  const { store, synonyms, embedder, vectors } = deps;
  const { window, source } = options;
  const filters = { ...(window ? { window } : {}), ...(source ? { source } : {}) };
  if (!embedder || !vectors)
    return search(store, text, { limit: options.limit, mode: options.mode, synonyms, ...filters });
  const lexical = search(store, parseQuery(text, synonyms), { limit: 50, mode: options.mode, ...filters });
  const { query, hits: bm25 } = lexical;
  let nearest: { id: number; similarity: number }[] = [];
  try {
    const [vector] = await embedder.embed([text]);
    if (vector) nearest = vectors.nearest(vector, 50);
  } catch (err) {
    deps.log?.warn({ err }, "embedding the question failed; searching by words only");
  }
  const fused = fuse(store, query, bm25, nearest, options.limit);
  // Vector neighbours know no dates or sources: the index's own filter rules drop those outside them.
  const kept = (h: Hit) =>
    inWindow(h.article.publishedAt, window) &&
    (!source || sourceMatches(source, h.article.site, h.article.url));
  return { ...lexical, hits: fused.filter(kept) };
}
