import { toMeta } from "../corpus/article.js";
import type { CorpusIndex } from "../index/contracts.js";
import { search } from "../search/lexical.js";
import { idf } from "../text/idf.js";
import type { SynonymMap } from "../text/lexicon.js";
import type { ArticleMeta, Quote } from "../types.js";
import { summarize } from "./summarize.js";

/** One article of a digest, with its summary quotes. */
export interface DigestItem {
  article: ArticleMeta;
  summary: Quote[];
}

/** A digest: the newest articles of a window (up to `max`), and how many more there were. */
export interface Digest {
  items: DigestItem[];
  more: number;
  topic: string | null;
}

/**
 * Which articles a digest covers: those first seen in a time window (previews, the CLI), or those numbered in a
 * sequence window (deliveries: numbers are committed in order, so a window taken during an ingest misses nothing).
 */
export type DigestWindow = { after: string; until: string } | { afterSeq: number; untilSeq: number };

/** Whether a text holds one of the words (whole words, any case; a phrase counts as its words in order). */
function mentionsAny(text: string, words: readonly string[]): boolean {
  const folded = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ")} `;
  return words.some((w) => {
    const phrase = w
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
    return phrase !== "" && folded.includes(` ${phrase} `);
  });
}

/** Keep the articles a subscription's keyword rules let through: one `include` word, no `exclude` word. */
export function keywordFilter(
  store: Pick<CorpusIndex, "getArticle">,
  ids: string[],
  rules: { include?: readonly string[]; exclude?: readonly string[] },
): string[] {
  const include = rules.include ?? [];
  const exclude = rules.exclude ?? [];
  if (include.length === 0 && exclude.length === 0) return ids;
  return ids.filter((id) => {
    const article = store.getArticle(id);
    if (!article) return false;
    const text = `${article.title}\n${article.text}`;
    return (include.length === 0 || mentionsAny(text, include)) && !mentionsAny(text, exclude);
  });
}

/** Articles of the window, filtered by topic when given, newest first. */
export function digestArticleIds(
  store: CorpusIndex,
  window: DigestWindow,
  topic: string | null,
  synonyms?: SynonymMap,
): string[] {
  const ids =
    "afterSeq" in window
      ? store.articlesInSeq(window.afterSeq, window.untilSeq)
      : store.articlesFirstSeen(window.after, window.until);
  if (!topic) return ids;
  let matching: Set<string>;
  try {
    // Every topic word (or its synonym) must occur: a topic filters, it does not rank.
    matching = new Set(
      search(store, topic, { limit: 1000, mode: "and", synonyms }).hits.map((h) => h.article.id),
    );
  } catch {
    return [];
  }
  return ids.filter((id) => matching.has(id));
}

/** Build the digest of the given articles (newest first), `max` of them with their summaries. */
export function buildDigest(
  store: CorpusIndex,
  articleIds: string[],
  max: number,
  topic: string | null = null,
): Digest {
  const total = store.totalPassages();
  const weigh = (stem: string) => idf(store.docFreq(stem), total);
  const items: DigestItem[] = [];
  for (const id of articleIds.slice(0, max)) {
    const article = store.getArticle(id);
    if (!article) continue;
    items.push({ article: toMeta(article), summary: summarize(article, store.passagesOf(id), weigh) });
  }
  return { items, more: Math.max(0, articleIds.length - max), topic };
}

/** The digest of a window: the articles first seen in it (matching the topic, if any), `max` of them summarised. */
export function digestOfWindow(
  store: CorpusIndex,
  window: DigestWindow,
  options: {
    topic: string | null;
    max: number;
    synonyms?: SynonymMap;
    include?: readonly string[];
    exclude?: readonly string[];
  },
): Digest {
  const ids = keywordFilter(store, digestArticleIds(store, window, options.topic, options.synonyms), options);
  return buildDigest(store, ids, options.max, options.topic);
}
