import { STOP_WORDS } from "./lexicon.js";
import { fold, stemRaw } from "./terms.js";

const WORD = /[\p{L}\p{N}]+/gu;
/** Raw word → its stem, or null for a stop word: pairs are read from every candidate passage, so this is hot. */
const contentCache = new Map<string, string | null>();

function contentStem(raw: string): string | null {
  let stem = contentCache.get(raw);
  if (stem === undefined) {
    stem = STOP_WORDS.has(fold(raw)) ? null : stemRaw(raw);
    if (contentCache.size > 200_000) contentCache.clear();
    contentCache.set(raw, stem);
  }
  return stem;
}

/** Adjacent pairs of content stems in a text ("town council", "asked luther"), stop words skipped. */
export function contentPairs(text: string): Set<string> {
  const pairs = new Set<string>();
  let previous: string | null = null;
  for (const m of text.matchAll(WORD)) {
    const stem = contentStem(m[0]);
    if (stem === null) continue;
    if (previous !== null) pairs.add(`${previous} ${stem}`);
    previous = stem;
  }
  return pairs;
}

/** The stems that stand in a set of pairs. */
function pairStems(pairs: Set<string>): Set<string> {
  const stems = new Set<string>();
  for (const pair of pairs) for (const s of pair.split(" ")) stems.add(s);
  return stems;
}

const stemsOfPairs = new WeakMap<Set<string>, Set<string>>();

/** Share of the question's adjacent content pairs that a text also has: word order is evidence too. */
export function sharedPairs(questionPairs: Set<string>, text: string): number {
  if (questionPairs.size === 0) return 0;
  let stems = stemsOfPairs.get(questionPairs);
  if (!stems) {
    stems = pairStems(questionPairs);
    stemsOfPairs.set(questionPairs, stems);
  }
  // Only pairs of two question words can count: a pair is spelled out only then, not for every word of the text.
  const found = new Set<string>();
  let previous: string | null = null;
  for (const m of text.matchAll(WORD)) {
    const stem = contentStem(m[0]);
    if (stem === null) continue;
    if (previous !== null && stems.has(previous) && stems.has(stem)) {
      const pair = `${previous} ${stem}`;
      if (questionPairs.has(pair)) found.add(pair);
    }
    previous = stem;
  }
  return Math.min(1, found.size / questionPairs.size);
}
