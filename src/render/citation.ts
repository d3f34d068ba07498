import type { ArticleMeta, Quote } from "../types.js";

/** A date as a reader expects it: "2018-09-10" stays, a date-time shows its date. */
export function displayDate(iso: string | null): string | null {
  if (!iso) return null;
  return /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : iso;
}

/** "Title — Site — 2018-09-10", leaving out what is unknown. */
export function citationLine(article: ArticleMeta): string {
  return [article.title, article.site, displayDate(article.publishedAt)].filter(Boolean).join(" — ");
}

/** How old an article is when it is over a year old, for answers to news questions: " (3 years old)"; else "". */
export function ageNote(publishedAt: string | null, now = new Date()): string {
  const published = publishedAt ? Date.parse(publishedAt) : Number.NaN;
  if (Number.isNaN(published)) return "";
  const years = Math.floor((now.getTime() - published) / (365.25 * 86_400_000));
  return years >= 1 ? ` (${years} year${years === 1 ? "" : "s"} old)` : "";
}

/** The quote's words with an ellipsis where it was cut from a longer sentence. */
export function quoteWithEllipses(quote: Pick<Quote, "text" | "cutStart" | "cutEnd">): string {
  return `${quote.cutStart ? "…" : ""}${quote.text}${quote.cutEnd ? "…" : ""}`;
}
