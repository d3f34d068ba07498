import { makeQuote } from "../answer/quote.js";
import { toMeta } from "../corpus/article.js";
import { STOP_WORDS } from "../text/lexicon.js";
import { quoteUnits } from "../text/sentences.js";
import { fold, stemRaw } from "../text/terms.js";
import type { Article, Passage, Quote } from "../types.js";

const WORD = /[\p{L}\p{N}]+/gu;

function vector(text: string, idf: (stem: string) => number): Map<string, number> {
  const v = new Map<string, number>();
  for (const m of text.matchAll(WORD)) {
    const word = fold(m[0]);
    if (STOP_WORDS.has(word) || word.length < 2) continue;
    const s = stemRaw(m[0]);
    v.set(s, (v.get(s) ?? 0) + 1);
  }
  for (const [s, tf] of v) v.set(s, tf * idf(s));
  return v;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, x] of a) {
    na += x * x;
    dot += x * (b.get(k) ?? 0);
  }
  for (const x of b.values()) nb += x * x;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The one or two sentences most central to an article (cosine similarity to the TF-IDF centroid of its sentences,
 * with a slight preference for early sentences), as verbatim quotes in article order.
 */
export function summarize(
  article: Article,
  passages: Passage[],
  idf: (stem: string) => number,
  options: { maxChars?: number } = {},
): Quote[] {
  const maxChars = options.maxChars ?? 320;
  const same = (t: string) =>
    t
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  // A repeated headline is not a summary of the article.
  const units = passages
    .flatMap((passage) =>
      quoteUnits(article.text, passage.start, passage.end).map((u) => ({ ...u, passage })),
    )
    .filter((u) => u.end - u.start >= 25 && same(article.text.slice(u.start, u.end)) !== same(article.title));
  if (units.length === 0) return [];
  const vectors = units.map((u) => vector(article.text.slice(u.start, u.end), idf));
  const centroid = new Map<string, number>();
  for (const v of vectors) for (const [k, x] of v) centroid.set(k, (centroid.get(k) ?? 0) + x);
  // A headline says what the article is about: closeness to it counts beside closeness to the centroid.
  const headline = vector(article.title, idf);
  const scored = units
    .map((u, i) => {
      const v = vectors[i] ?? new Map<string, number>();
      // News puts what matters first: a sentence loses 5% of its score per sentence before it, at most 40%.
      const score = (0.6 * cosine(v, centroid) + 0.4 * cosine(v, headline)) * (1 - Math.min(0.4, i * 0.05));
      return { u, i, score };
    })
    .sort((a, b) => b.score - a.score);
  const chosen: typeof scored = [];
  let chars = 0;
  for (const c of scored) {
    const len = c.u.end - c.u.start;
    if (chosen.length >= 2) break;
    if (chosen.length > 0 && chars + len > maxChars) continue;
    chosen.push(c);
    chars += len;
  }
  const meta = toMeta(article);
  return chosen
    .sort((a, b) => a.i - b.i)
    .map(({ u }) =>
      makeQuote(
        u.passage,
        meta,
        { ...u, start: u.start - u.passage.start, end: u.end - u.passage.start },
        article.text,
      ),
    );
}
