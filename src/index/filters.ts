/** The filters a search can carry (`MatchQuery.window`, `MatchQuery.source`), as one rule for every path. */

/** Whether an article's publication date is in `[from, to)` (YYYY-MM-DD); an undated article is outside. */
export function inWindow(
  publishedAt: string | null,
  window: { from: string; to: string } | undefined,
): boolean {
  if (!window) return true;
  if (!publishedAt) return false;
  const day = publishedAt.slice(0, 10);
  return day >= window.from && day < window.to;
}

/**
 * Whether an article comes from a source: its site name ("Example News", any case) or its web host, subdomains
 * included and "www." ignored ("example.com" keeps news.example.com). The index calls this same function from SQL.
 */
export function sourceMatches(source: string, site: string | null, url: string | null): boolean {
  if (site && site.toLowerCase() === source.toLowerCase()) return true;
  if (!url) return false;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^www\./, "");
  } catch {
    return false;
  }
  const wanted = source.toLowerCase().replace(/^www\./, "");
  return host === wanted || host.endsWith(`.${wanted}`);
}
