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
