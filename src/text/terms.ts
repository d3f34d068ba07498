import { stemmer } from "stemmer";

const WORD = /[\p{L}\p{N}]+/gu;
const stemCache = new Map<string, string>();

/** Lower-case, strip diacritics: the same folding the FTS5 tokenizer applies (unicode61 remove_diacritics 2). */
export function fold(word: string): string {
  return word
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** Porter stem of a folded word, memoised because vocabularies are small and texts are long. */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = /^\p{N}+$/u.test(word) ? word : stemmer(word);
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
  const set = new Set<string>();
  for (const m of text.matchAll(WORD)) set.add(stemRaw(m[0]));
  return set;
}
