/** A span of text by offsets. */
export interface Span {
  start: number;
  end: number;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
// A period after these does not end a sentence: "Mr. Wang said", "Jan. 5", "J. Smith".
const TITLE_ABBR =
  /(?:^|[\s(])(?:mr|mrs|ms|dr|prof|sr|jr|st|mt|gen|gov|sen|rep|col|lt|capt|sgt|vs|fig|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|[A-Z])\.$/i;
// Dotted initials ("U.S.") end a sentence only when a capital follows.
const INITIALS = /(?:^|[\s(])(?:\p{L}\.){2,4}$/u;

/** Trim whitespace off a span of `text`. */
function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start] ?? "")) start++;
  while (end > start && /\s/.test(text[end - 1] ?? "")) end--;
  return { start, end };
}

/**
 * Text the segmenter reads at a time. V8's sentence segmenter takes time quadratic in the length of the text it is
 * given (a 2 MB paragraph of short sentences: 154 s); read in windows, each ending where the last whole sentence
 * of the window before ended, it is linear, and finds the same boundaries (the rules look a few words ahead).
 */
export const SEGMENT_WINDOW = 8192;

/** The segmenter's sentences of `text[from, to)` (offsets into `text`, white space included), a window at a time. */
export function* rawSentences(text: string, from: number, to: number): Generator<Span> {
  let start = from;
  // Where a sentence began that runs on past the windows read so far (a run of text with no boundary in it).
  let open: number | null = null;
  while (start < to) {
    const end = Math.min(to, start + SEGMENT_WINDOW);
    const found: Span[] = [];
    for (const seg of segmenter.segment(text.slice(start, end)))
      found.push({ start: start + seg.index, end: start + seg.index + seg.segment.length });
    if (end < to && found.length <= 1) {
      open ??= start;
      start = end;
      continue;
    }
    const first = found[0];
    if (open !== null && first) found[0] = { start: open, end: first.end };
    open = null;
    // The window's last sentence may go on past it: it is read again at the head of the next window.
    const last = end < to ? found.pop() : undefined;
    yield* found;
    start = last ? last.start : end;
  }
}

/** Sentence spans of `text[from, to)`, with offsets into `text`; abbreviations do not end sentences. */
export function sentenceSpans(text: string, from = 0, to = text.length): Span[] {
  const spans: Span[] = [];
  for (const seg of rawSentences(text, from, to)) {
    const span = trimSpan(text, seg.start, seg.end);
    if (span.end <= span.start) continue;
    const prev = spans[spans.length - 1];
    if (prev) {
      const before = text.slice(prev.start, prev.end);
      const next = text[span.start] ?? "";
      if (TITLE_ABBR.test(before) || (INITIALS.test(before) && /[\p{Ll}\p{N}]/u.test(next))) {
        prev.end = span.end;
        continue;
      }
    }
    spans.push(span);
  }
  return spans;
}

/** Sentences longer than this are split into clauses at semicolons, so that a quote stays a quote. */
export const LONG_SENTENCE = 240;

/**
 * Quotable units of `text[from, to)`: sentences, and the clauses of long sentences split at ";".
 * Each unit records whether it starts or ends a sentence, so that renderers can mark cuts.
 */
export function quoteUnits(
  text: string,
  from = 0,
  to = text.length,
): (Span & { sentenceStart: boolean; sentenceEnd: boolean })[] {
  const units: (Span & { sentenceStart: boolean; sentenceEnd: boolean })[] = [];
  for (const s of sentenceSpans(text, from, to)) {
    if (s.end - s.start <= LONG_SENTENCE) {
      units.push({ ...s, sentenceStart: true, sentenceEnd: true });
      continue;
    }
    let clauseStart = s.start;
    const body = text.slice(s.start, s.end);
    const re = /;\s+/g;
    let m: RegExpExecArray | null = re.exec(body);
    const clauses: Span[] = [];
    while (m) {
      clauses.push(trimSpan(text, clauseStart, s.start + m.index));
      clauseStart = s.start + m.index + m[0].length;
      m = re.exec(body);
    }
    clauses.push(trimSpan(text, clauseStart, s.end));
    clauses.forEach((c, i) => {
      if (c.end > c.start)
        units.push({ ...c, sentenceStart: i === 0, sentenceEnd: i === clauses.length - 1 });
    });
  }
  return units;
}

/**
 * Sentences of a text split by punctuation alone (a stop, question or exclamation mark before white space and a
 * capital, or a line break): no abbreviation handling, about ten times cheaper than `sentenceSpans`, for scoring
 * many passages where an occasional wrong split costs nothing.
 */
export function roughSentences(text: string): string[] {
  return text.split(/(?<=[.!?]["'\u201d\u2019)]?)\s+(?=[\p{Lu}\p{N}"'\u201c\u2018(])|\n+/u);
}
