import { STOP_WORDS } from "../text/lexicon.js";
import { fold, stem } from "../text/terms.js";
import type { Hit, Quote } from "../types.js";
import { makeQuote } from "./quote.js";

/** Fold what models commonly change when they copy text: curly quotes, dashes, ellipses, white space. */
function foldChar(c: string): string {
  if (/[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/.test(c)) return "'";
  if (/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/.test(c)) return '"';
  if (/[\u2010-\u2015\u2212\u00ad]/.test(c)) return "-";
  if (c === "\u2026") return "...";
  return c;
}

/** A normalised copy of `text` and, for each of its characters, the offset of the original character it came from. */
export function normalizeWithMap(text: string): { norm: string; map: number[] } {
  let norm = "";
  const map: number[] = [];
  let lastSpace = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (/\s/.test(c)) {
      if (!lastSpace) {
        norm += " ";
        map.push(i);
      }
      lastSpace = true;
      continue;
    }
    lastSpace = false;
    for (const f of foldChar(c)) {
      norm += f;
      map.push(i);
    }
  }
  if (norm.endsWith(" ")) {
    norm = norm.slice(0, -1);
    map.pop();
  }
  return { norm, map };
}

/**
 * Find a model's quote in a passage, ignoring differences of white space, quote marks and dashes; returns the span
 * of the passage's own characters (so what is shown is the source's text), or null when it is not there.
 */
export function locateQuote(passageText: string, quote: string): { start: number; end: number } | null {
  const q = normalizeWithMap(
    quote.trim().replace(/^["'\u201c\u201d\u2018\u2019]+|["'\u201c\u201d\u2018\u2019]+$/g, ""),
  ).norm;
  if (q.length < 8) return null;
  const { norm, map } = normalizeWithMap(passageText);
  const at = norm.indexOf(q);
  if (at < 0) return null;
  const start = map[at] ?? 0;
  const end = (map[at + q.length - 1] ?? start) + 1;
  return { start, end };
}

/** What the model returned, per the JSON schema. */
export interface ModelAnswer {
  answer: string;
  quotes: { passage: number; text: string }[];
  not_in_sources: boolean;
}

/** The verified form of a model answer: quotes that stand in the sources, and prose that cites only them. */
export interface VerifiedAnswer {
  prose: string;
  quotes: Quote[];
  dropped: number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Share of a sentence's new words (not in the question) its cited quotes must hold for it to be shown. */
export const SUPPORT_SHARE = 0.5;

const contentStems = (text: string) =>
  new Set(
    [...text.matchAll(/[\p{L}\p{N}]+/gu)]
      .map((m) => fold(m[0]))
      .filter((w) => !STOP_WORDS.has(w) && w.length > 1)
      .map(stem),
  );
const numbersIn = (text: string) => [...text.matchAll(/\d+(?:[.,]\d+)*/g)].map((m) => m[0].replace(/,/g, ""));

/**
 * Whether the quotes a sentence cites support it: what the sentence adds to the question must mostly stand in them
 * (half its content words at least), and every number it states must stand in them as written.
 */
export function supportedBy(sentence: string, quotes: string[], question: string): boolean {
  const quoted = quotes.join(" ");
  const have = contentStems(quoted);
  const asked = contentStems(question);
  const words = contentStems(sentence);
  const quotedNumbers = new Set(numbersIn(quoted));
  if (numbersIn(sentence).some((n) => !quotedNumbers.has(n))) return false;
  const added = [...words].filter((w) => !asked.has(w));
  if (added.length === 0) return [...words].some((w) => have.has(w));
  return added.filter((w) => have.has(w)).length / added.length >= SUPPORT_SHARE;
}

/**
 * Keep the quotes found verbatim in the passage they cite, renumber the answer's [n] markers to the kept quotes,
 * remove markers to passages that do not exist, and drop every sentence left without a verified citation or that its
 * cited quotes do not support.
 */
export function verifyModelAnswer(
  model: ModelAnswer,
  hits: Hit[],
  articleText: (id: string) => string | null,
  question = "",
): VerifiedAnswer {
  const quotes: Quote[] = [];
  const quoteOfPassage = new Map<number, number>();
  let dropped = 0;
  for (const q of model.quotes) {
    const hit = Number.isInteger(q.passage) ? hits[q.passage - 1] : undefined;
    const span = hit ? locateQuote(hit.passage.text, q.text) : null;
    if (!hit || !span) {
      dropped++;
      continue;
    }
    const start = hit.passage.start + span.start;
    if (quotes.some((x) => x.article.id === hit.article.id && x.start === start)) continue;
    quotes.push(makeQuote(hit.passage, hit.article, span, articleText(hit.article.id)));
    if (!quoteOfPassage.has(q.passage)) quoteOfPassage.set(q.passage, quotes.length);
  }
  const sentences: string[] = [];
  for (const { segment } of segmenter.segment(model.answer.replace(/\s+/g, " ").trim())) {
    const cited = new Set<number>();
    const text = segment.replace(/\s*\[(\d+)\]/g, (_m, n: string) => {
      const quoteNumber = quoteOfPassage.get(Number(n));
      if (quoteNumber === undefined) return "";
      cited.add(quoteNumber);
      return ` [${quoteNumber}]`;
    });
    // Every sentence must rest on a verified quote that says what it says: an uncited, badly cited or unsupported
    // claim is not shown.
    const claim = text.replace(/\s*\[\d+\]/g, "");
    const support = [...cited].map((i) => quotes[i - 1]?.text ?? "");
    if (cited.size > 0 && supportedBy(claim, support, question))
      sentences.push(text.replace(/(\[\d+\])(?:\s*\1)+/g, "$1").trim());
  }
  return { prose: sentences.join(" "), quotes, dropped };
}
