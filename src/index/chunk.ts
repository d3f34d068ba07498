import { type Span, sentenceSpans } from "../text/sentences.js";
import type { Passage } from "../types.js";

/** Passages longer than this are split at sentence boundaries. */
export const MAX_PASSAGE_CHARS = 900;

/** Paragraph spans of a clean article text (paragraphs are separated by blank lines). */
export function paragraphSpans(text: string): Span[] {
  const spans: Span[] = [];
  const re = /\n\s*\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > start) spans.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  if (text.length > start) spans.push({ start, end: text.length });
  return spans.filter((s) => text.slice(s.start, s.end).trim().length > 0);
}

/** Split a span with no usable sentence boundary at white space, near `max` characters. */
function hardSplit(text: string, span: Span, max: number): Span[] {
  const out: Span[] = [];
  let start = span.start;
  while (span.end - start > max) {
    let cut = text.lastIndexOf(" ", start + max);
    if (cut <= start) cut = start + max;
    out.push({ start, end: cut });
    start = cut;
    while (start < span.end && text[start] === " ") start++;
  }
  if (span.end > start) out.push({ start, end: span.end });
  return out;
}

/** Cut an article's text into passages: paragraphs, split at sentence boundaries when too long. */
export function chunkArticle(articleId: string, text: string, max = MAX_PASSAGE_CHARS): Passage[] {
  const spans: Span[] = [];
  for (const para of paragraphSpans(text)) {
    if (para.end - para.start <= max) {
      spans.push(para);
      continue;
    }
    let current: Span | null = null;
    for (const sentence of sentenceSpans(text, para.start, para.end)) {
      const pieces = sentence.end - sentence.start > max ? hardSplit(text, sentence, max) : [sentence];
      for (const piece of pieces) {
        if (current && piece.end - current.start <= max) current.end = piece.end;
        else {
          if (current) spans.push(current);
          current = { ...piece };
        }
      }
    }
    if (current) spans.push(current);
  }
  return spans.map((s, ordinal) => ({
    id: -1,
    articleId,
    ordinal,
    text: text.slice(s.start, s.end),
    start: s.start,
    end: s.end,
  }));
}
