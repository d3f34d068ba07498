/**
 * Links that open an article at a quote, with a URL text fragment (`#:~:text=start,end`),
 * percent-encoded as the URL Fragment Text Directives spec asks: `-`, `,` and `&` are always encoded.
 */

/** Percent-encode one part of a text directive. */
export function encodeDirectivePart(text: string): string {
  return encodeURIComponent(text).replace(/-/g, "%2D");
}

const WHOLE_QUOTE_WORDS = 10;
const EDGE_WORDS = 5;
const MAX_EDGE_WORDS = 12;

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function normalize(text: string): string {
  return text.replace(/\s+/g, " ").toLowerCase();
}

/**
 * The text directive for `context.slice(start, end)`: the whole quote when short, else its first and last words,
 * with enough words (or a prefix) that the browser's first match is the quote itself.
 */
export function textDirective(context: string, start: number, end: number): string {
  const quote = context.slice(start, end);
  const w = words(quote);
  const quoteAt = normalize(context.slice(0, start)).length - 1;
  // Only whether a phrase of the quote stands before it matters, so the text after the quote is never read.
  const haystack = normalize(context.slice(0, end));
  const firstMatchIsQuote = (phrase: string) => haystack.indexOf(normalize(phrase)) >= quoteAt;
  if (w.length <= WHOLE_QUOTE_WORDS) {
    const whole = w.join(" ");
    if (firstMatchIsQuote(whole)) return `text=${encodeDirectivePart(whole)}`;
    return `text=${prefixPart(context, start)}${encodeDirectivePart(whole)}`;
  }
  let k = EDGE_WORDS;
  while (k < MAX_EDGE_WORDS && 2 * k < w.length && !firstMatchIsQuote(w.slice(0, k).join(" "))) k++;
  const startText = w.slice(0, k).join(" ");
  const endText = w.slice(-EDGE_WORDS).join(" ");
  const prefix = firstMatchIsQuote(startText) ? "" : prefixPart(context, start);
  return `text=${prefix}${encodeDirectivePart(startText)},${encodeDirectivePart(endText)}`;
}

function prefixPart(context: string, start: number): string {
  const prior = words(context.slice(Math.max(0, start - 80), start))
    .slice(-3)
    .join(" ");
  return prior ? `${encodeDirectivePart(prior)}-,` : "";
}

/** The article URL with a text fragment that highlights `articleText.slice(start, end)`; null without a URL. */
export function quoteLink(
  url: string | null,
  articleText: string,
  start: number,
  end: number,
): string | null {
  if (!url) return null;
  const base = url.replace(/#.*$/, "");
  return `${base}#:~:${textDirective(articleText, start, end)}`;
}
