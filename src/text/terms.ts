import { stemmer } from "stemmer";

/** A word as the index tokenizes it: letters and digits (use with `matchAll`, which never moves its lastIndex). */
export const WORD = /[\p{L}\p{N}]+/gu;
const stemCache = new Map<string, string>();

/** Lower-case, strip diacritics: the same folding the FTS5 tokenizer applies (unicode61 remove_diacritics 2). */
export function fold(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Whether words are Porter-stemmed: true for English indexes, whose FTS5 tokenizer stems the same way. */
let stemming = true;

/**
 * Stem as the open index does (the index sets it when opened): Porter for English, folding only for other
 * languages. One process serves one index language; the caches are cleared when it changes.
 */
export function useStemming(on: boolean): void {
  if (on === stemming) return;
  stemming = on;
  stemCache.clear();
  rawCache.clear();
  for (const forget of stemCaches) forget();
}

/** Caches of stems kept by other modules, dropped with this module's own when the stemming changes. */
const stemCaches: (() => void)[] = [];

/** Have `forget` called whenever the stemming changes, so that a cache of stems never outlives its language. */
export function onStemmingChange(forget: () => void): void {
  stemCaches.push(forget);
}

/** Whether the open index is English (stemmed), as `useStemming` set it. */
export function stemsEnglish(): boolean {
  return stemming;
}

/** Porter stem of a folded word (the word itself for an index not in English), memoised: texts are long. */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = !stemming || /^\p{N}+$/u.test(word) ? word : stemmer(word);
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

const rawCache = new Map<string, string>();

/** Stem of a word as it stands in a text (folding included), memoised by the raw word: the hot path of scoring. */
export function stemRaw(raw: string): string {
  let s = rawCache.get(raw);
  if (s === undefined) {
    s = stem(fold(raw));
    if (rawCache.size > 200_000) rawCache.clear();
    rawCache.set(raw, s);
  }
  return s;
}

/** The set of stems in a text. */
export function stemSet(text: string): Set<string> {
  return new Set(stemList(text));
}

/** The stems of a text in order, as the index tokenizes it (the PostgreSQL index's own tokenizer). */
export function stemList(text: string): string[] {
  const list: string[] = [];
  for (const m of text.matchAll(WORD)) list.push(stemRaw(m[0]));
  return list;
}
