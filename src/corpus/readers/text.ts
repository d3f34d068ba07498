import { normalizeDate, type ReadResult, str } from "../article.js";

/** Per-file metadata from a `sources.json` manifest beside the files. */
export type Manifest = Record<string, Record<string, unknown>>;

/** Read a plain-text article: the first non-empty line is the title; metadata comes from the manifest entry. */
export function readText(
  content: string,
  source: string,
  manifestEntry?: Record<string, unknown>,
): ReadResult {
  const text = content.replace(/^\ufeff/, "");
  const match = /^\s*([^\n]*\S)[^\n]*(\n|$)/.exec(text);
  const firstLine = match?.[1]?.trim() ?? "";
  const body = match ? text.slice(match[0].length) : text;
  const meta = manifestEntry ?? {};
  return {
    drafts: [
      {
        id: str(meta.id),
        title: str(meta.title) ?? firstLine,
        url: str(meta.url),
        site: str(meta.site),
        publishedAt: normalizeDate(meta.published ?? meta.publishedAt ?? meta.date ?? meta.event_date),
        author: str(meta.author),
        body: body.trim().length > 0 ? body : firstLine,
        source,
      },
    ],
    warnings: [],
  };
}
