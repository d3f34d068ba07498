import type { MatchRow } from "../index/contracts.js";
import { wordStems } from "../text/pairs.js";
import { roughSentences } from "../text/sentences.js";
import { WORD } from "../text/terms.js";
import { type ParsedQuery, termOptions } from "./query.js";

/** What the rerank reads of a fetched row: the question's stems it holds, sentence by sentence, and its word order. */
export interface RowWords {
  /** The question's stems in each sentence of the passage text (`roughSentences`). */
  sentences: Set<string>[];
  /** The question's stems in the title and the text. */
  all: Set<string>;
  /** Share of the question's adjacent content-word pairs that the title and text, read in order, repeat. */
  pairs: number;
}

/** The stems a row is read for: every option of every term, and the words of the question's pairs. */
function questionStems(query: ParsedQuery, pairs: ReadonlySet<string>): Set<string> {
  const stems = new Set<string>();
  for (const t of query.terms) for (const option of termOptions(t)) for (const s of option) stems.add(s);
  for (const pair of pairs) for (const s of pair.split(" ")) stems.add(s);
  return stems;
}

/** 1 for the ASCII letters and digits: the index's word characters below 128. */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? 1 : 0;
const wordCodes = new Map<number, boolean>();

/** Whether a code point is a letter or a digit (`WORD`'s characters), memoised beyond ASCII. */
function isWordCode(code: number): boolean {
  if (code < 128) return ASCII_WORD[code] === 1;
  let known = wordCodes.get(code);
  if (known === undefined) {
    known = /[\p{L}\p{N}]/u.test(String.fromCodePoint(code));
    wordCodes.set(code, known);
  }
  return known;
}

/** ASCII lower case of a code below 128. */
const lower = (code: number) => (code >= 65 && code <= 90 ? code + 32 : code);

/**
 * The first letters a word must start with to stem to one of `stems`, as numbers (one letter, or two as
 * `first << 8 | second`). The Porter stemmer rewrites suffixes only, so a stem starts as its word does, but for "y"
 * after a first vowel ("eyed" → "ei", "ays" → "ai"), which both spellings cover. Checked over 305,829 words (English
 * and a 100k-passage corpus): these were the only exceptions. A word with a letter beyond ASCII in its first two is
 * always read (folding removes diacritics: "Émile" is "emile").
 */
function heads(stems: Iterable<string>): Set<number> {
  const out = new Set<number>();
  for (const s of stems) {
    const a = s.charCodeAt(0);
    const b = s.length > 1 ? s.charCodeAt(1) : -1;
    if (Number.isNaN(a) || a >= 128 || b >= 128) continue;
    if (b < 0) out.add(a);
    else {
      out.add((a << 8) | b);
      if (b === 105) out.add((a << 8) | 121);
    }
  }
  return out;
}

/**
 * Call `read` with the start and end of each word of `text` (as `WORD` finds them) that may stem to one of the
 * stems `starts` was made from; other words are passed over without being cut out of the text.
 */
function candidateWords(text: string, starts: Set<number>, read: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.codePointAt(i) ?? 0;
    if (!isWordCode(code)) {
      i += code > 0xffff ? 2 : 1;
      continue;
    }
    const start = i;
    const second = start + (code > 0xffff ? 2 : 1);
    let end = second;
    while (end < n) {
      const c = text.codePointAt(end) ?? 0;
      if (!isWordCode(c)) break;
      end += c > 0xffff ? 2 : 1;
    }
    i = end;
    const next = second < end ? (text.codePointAt(second) ?? 0) : -1;
    if (
      code >= 128 ||
      next >= 128 ||
      starts.has(lower(code)) ||
      (next >= 0 && starts.has((lower(code) << 8) | lower(next)))
    )
      read(start, end);
  }
}

/** True when a stretch of text holds only stop words (two content words either side of it stand side by side). */
function onlyStopWords(text: string): boolean {
  for (const m of text.matchAll(WORD)) if (wordStems(m[0]).content !== null) return false;
  return true;
}

/** The question's stems a text holds (segment by segment), and the share of its word pairs the text repeats. */
interface SegmentWords {
  segments: Set<string>[];
  all: Set<string>;
  pairs: number;
}

/**
 * What a question asks of texts, prepared once: the first letters its stems allow, and its pairs' stems. Only the
 * words those letters allow are stemmed (a tenth of a passage's words or fewer): stemming every word of the
 * hundred rows a search fetches was a fifth of an answer's time. What it finds is what reading every word would:
 * two question words count as a pair when only stop words stand between them.
 */
function segmentReader(
  query: ParsedQuery,
  questionPairs: ReadonlySet<string>,
): (segments: string[]) => SegmentWords {
  const stems = questionStems(query, questionPairs);
  const starts = heads(stems);
  const pairStems = new Set([...questionPairs].flatMap((p) => p.split(" ")));
  return (segments) => {
    const all = new Set<string>();
    const found = new Set<string>();
    // The last content word read: its stem, and where it ended.
    let previous: { stem: string; segment: number; end: number } | null = null;
    const read = segments.map((segment, index) => {
      const own = new Set<string>();
      candidateWords(segment, starts, (start, end) => {
        const { stem, content } = wordStems(segment.slice(start, end));
        if (stems.has(stem)) {
          all.add(stem);
          own.add(stem);
        }
        if (content === null) return;
        if (previous && pairStems.has(previous.stem) && pairStems.has(content)) {
          const pair = `${previous.stem} ${content}`;
          if (
            questionPairs.has(pair) &&
            !found.has(pair) &&
            onlyStopWords(between(segments, previous, index, start))
          )
            found.add(pair);
        }
        previous = { stem: content, segment: index, end };
      });
      return own;
    });
    return {
      segments: read,
      all,
      pairs: questionPairs.size === 0 ? 0 : Math.min(1, found.size / questionPairs.size),
    };
  };
}

/**
 * A reader of fetched rows for one question and its adjacent content-word pairs: the title and the text are read in
 * order, as one text for word pairs.
 */
export function rowReader(
  query: ParsedQuery,
  questionPairs: ReadonlySet<string>,
): (row: MatchRow) => RowWords {
  const read = segmentReader(query, questionPairs);
  return (row) => {
    const { segments, all, pairs } = read([row.title, ...roughSentences(row.text)]);
    return { sentences: segments.slice(1), all, pairs };
  };
}

/** A reader of single texts (a quote's sentence) for one question: the question's stems it holds, and its pairs. */
export function textReader(
  query: ParsedQuery,
  questionPairs: ReadonlySet<string>,
): (text: string) => { stems: Set<string>; pairs: number } {
  const read = segmentReader(query, questionPairs);
  return (text) => {
    const { all, pairs } = read([text]);
    return { stems: all, pairs };
  };
}

/** The text between a word that ended at `from.end` of segment `from.segment` and offset `to` of segment `index`. */
function between(
  segments: string[],
  from: { segment: number; end: number },
  index: number,
  to: number,
): string {
  if (from.segment === index) return (segments[index] ?? "").slice(from.end, to);
  const parts = [(segments[from.segment] ?? "").slice(from.end)];
  for (let i = from.segment + 1; i < index; i++) parts.push(segments[i] ?? "");
  parts.push((segments[index] ?? "").slice(0, to));
  return parts.join(" ");
}
