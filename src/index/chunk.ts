import { type Span, sentenceSpans } from "../text/sentences.js";
import type { Passage } from "../types.js";

/** Passages longer than this are split at sentence boundaries (900 → 1,400 kept SciFact abstracts and long SQuAD paragraphs whole, docs/quality.md). */
export const MAX_PASSAGE_CHARS = 1400;

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
    // Looked for within the piece only: from the end of the text back, a run with no space was quadratic.
    const space = text.slice(start, start + max + 1).lastIndexOf(" ");
    const cut = space > 0 ? start + space : start + max;
    out.push({ start, end: cut });
    start = cut;
    while (start < span.end && text[start] === " ") start++;
  }
  if (span.end > start) out.push({ start, end: span.end });
  return out;
}

/** A paragraph shorter than this (a heading, a byline, a dateline such as "CNN —") is not a passage of its own. */
export const MIN_PARAGRAPH_CHARS = 80;

/**
 * Paragraphs with the short ones joined to the paragraph they belong to: a heading, byline or dateline to the one
 * after it (the last one of the article to the one before). The joined span covers the blank line between them, so
 * offsets stay exact.
 */
export function joinShortParagraphs(paragraphs: Span[], min = MIN_PARAGRAPH_CHARS): Span[] {
  const out: Span[] = [];
  let pending: Span | null = null;
  for (const p of paragraphs) {
    const span: Span = pending ? { start: pending.start, end: p.end } : { ...p };
    pending = null;
    if (span.end - span.start < min) pending = span;
    else out.push(span);
  }
  if (pending) {
    const last = out[out.length - 1];
    if (last) last.end = pending.end;
    else out.push(pending);
  }
  return out;
}

/** Cut an article's text into passages: paragraphs (short ones joined), split at sentence boundaries when too long. */
export function chunkArticle(articleId: string, text: string, max = MAX_PASSAGE_CHARS): Passage[] {
  const spans: Span[] = [];
  for (const para of joinShortParagraphs(paragraphSpans(text))) {
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
