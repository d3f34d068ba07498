import { STOP_WORDS } from "./lexicon.js";
import { fold, onStemmingChange, stemRaw, WORD } from "./terms.js";

/** A word's stem, and its stem as a content word (null for a stop word, which pairs skip). */
export interface WordStems {
  stem: string;
  content: string | null;
}

/** Raw word → its stems: pairs and the rerank read every candidate passage word by word, so this is hot. */
const wordCache = new Map<string, WordStems>();
onStemmingChange(() => wordCache.clear());

/** The stems of a word as it stands in a text, memoised by the raw word (one lookup serves both uses). */
export function wordStems(raw: string): WordStems {
  let stems = wordCache.get(raw);
  if (stems === undefined) {
    const stem = stemRaw(raw);
    stems = { stem, content: STOP_WORDS.has(fold(raw)) ? null : stem };
    if (wordCache.size > 200_000) wordCache.clear();
    wordCache.set(raw, stems);
  }
  return stems;
}

function contentStem(raw: string): string | null {
  return wordStems(raw).content;
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
  return sharedPairsIn(questionPairs, contentStems(text));
}

/** A text's words as content stems, null for a stop word (which pairs skip). */
function* contentStems(text: string): Generator<string | null> {
  for (const m of text.matchAll(WORD)) yield contentStem(m[0]);
}

/** `sharedPairs` over words already read as content stems (`contentStems`, or a caller's own pass over the text). */
export function sharedPairsIn(questionPairs: Set<string>, words: Iterable<string | null>): number {
  if (questionPairs.size === 0) return 0;
  let stems = stemsOfPairs.get(questionPairs);
  if (!stems) {
    stems = pairStems(questionPairs);
    stemsOfPairs.set(questionPairs, stems);
  }
  // Only pairs of two question words can count: a pair is spelled out only then, not for every word of the text.
  const found = new Set<string>();
  let previous: string | null = null;
  for (const stem of words) {
    if (stem === null) continue;
    if (previous !== null && stems.has(previous) && stems.has(stem)) {
      const pair = `${previous} ${stem}`;
      if (questionPairs.has(pair)) found.add(pair);
    }
    previous = stem;
  }
  return Math.min(1, found.size / questionPairs.size);
}
