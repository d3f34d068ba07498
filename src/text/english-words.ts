import { readFileSync } from "node:fs";
import wordListPath from "word-list";

/**
 * English words (274,000 forms, inflections included), kept as one sorted string and the offsets of its lines:
 * about 4 MB, where a Set of the same words takes 21 MB of heap. Read on first use (about 0.2 s).
 */
let list: { text: string; starts: Int32Array } | null = null;

function load(): { text: string; starts: Int32Array } {
  // The file is sorted but for a few pairs: sort it once, so that a binary search never takes a wrong turn.
  const words = readFileSync(wordListPath, "utf8").split("\n").filter(Boolean).sort();
  const starts = new Int32Array(words.length);
  let at = 0;
  words.forEach((w, i) => {
    starts[i] = at;
    at += w.length + 1;
  });
  return { text: words.join("\n"), starts };
}

/**
 * Whether a folded word is an English word. The spelling corrector asks before replacing a word the index lacks:
 * "helicopter" in a corpus that never mentions one is a real word to search for, not a typo of "helicoider".
 */
export function isEnglishWord(word: string): boolean {
  list ??= load();
  const { text, starts } = list;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = starts[mid] as number;
    const end = mid + 1 < starts.length ? (starts[mid + 1] as number) - 1 : text.length;
    const candidate = text.slice(start, end);
    if (candidate === word) return true;
    if (candidate < word) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
