import { stemmer } from "stemmer";

const WORD = /[\p{L}\p{N}]+/gu;
const stemCache = new Map<string, string>();

/** Lower-case, strip diacritics: the same folding the FTS5 tokenizer applies (unicode61 remove_diacritics 2). */
export function fold(word: string): string {
  return word.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
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

/** A word of a text with its position. */
export interface Token {
  word: string;
  stem: string;
  start: number;
  end: number;
}

/** Split text into folded, stemmed words with their offsets. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(WORD)) {
    const word = fold(m[0]);
    out.push({ word, stem: stem(word), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** The set of stems in a text. */
export function stemSet(text: string): Set<string> {
  const set = new Set<string>();
  for (const m of text.matchAll(WORD)) set.add(stem(fold(m[0])));
  return set;
}
