import { STOP_WORDS } from "./lexicon.js";
import { fold, stemRaw } from "./terms.js";

const WORD = /[\p{L}\p{N}]+/gu;
/** Raw words known to be stop words once folded: pairs are read from every candidate passage, so this is hot. */
const stopCache = new Map<string, boolean>();

function isStopWord(raw: string): boolean {
  let stop = stopCache.get(raw);
  if (stop === undefined) {
    stop = STOP_WORDS.has(fold(raw));
    if (stopCache.size > 200_000) stopCache.clear();
    stopCache.set(raw, stop);
  }
  return stop;
}

/** Adjacent pairs of content stems in a text ("town council", "asked luther"), stop words skipped. */
export function contentPairs(text: string): Set<string> {
  const pairs = new Set<string>();
  let previous: string | null = null;
  for (const m of text.matchAll(WORD)) {
    if (isStopWord(m[0])) continue;
    const stem = stemRaw(m[0]);
    if (previous !== null) pairs.add(`${previous} ${stem}`);
    previous = stem;
  }
  return pairs;
}

/** Share of the question's adjacent content pairs that a text also has: word order is evidence too. */
export function sharedPairs(questionPairs: Set<string>, text: string): number {
  if (questionPairs.size === 0) return 0;
  let n = 0;
  for (const pair of contentPairs(text)) if (questionPairs.has(pair)) n++;
  return Math.min(1, n / questionPairs.size);
}
