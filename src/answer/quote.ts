import type { ArticleMeta, Passage, Quote } from "../types.js";
import { quoteLink } from "./fragment.js";

/** A span of a passage's text (offsets into the passage), and whether it begins and ends a sentence. */
export interface QuoteSpan {
  start: number;
  end: number;
  sentenceStart?: boolean;
  sentenceEnd?: boolean;
}

const ENDS_SENTENCE = /[.!?]["'\u201d\u2019)]?$/;

/**
 * The one way a quote is made: `passage.text.slice(span)`, with offsets into the article and a link that opens the
 * article at it. `articleText` (the whole article) makes the link point at the first occurrence; without it the
 * passage serves as context. Sentence edges not given are read off the text.
 */
export function makeQuote(
  passage: Passage,
  article: ArticleMeta,
  span: QuoteSpan,
  articleText: string | null,
): Quote {
  const text = passage.text.slice(span.start, span.end);
  const start = passage.start + span.start;
  const end = passage.start + span.end;
  const sentenceStart =
    span.sentenceStart ??
    (span.start === 0 || /[.!?]["'\u201d\u2019)]?\s*$/.test(passage.text.slice(0, span.start)));
  const sentenceEnd = span.sentenceEnd ?? ENDS_SENTENCE.test(text);
  return {
    text,
    start,
    end,
    passage,
    article,
    link:
      articleText !== null
        ? quoteLink(article.url, articleText, start, end)
        : quoteLink(article.url, passage.text, span.start, span.end),
    cutStart: !sentenceStart,
    cutEnd: !sentenceEnd,
  };
}
