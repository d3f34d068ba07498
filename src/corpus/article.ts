import type { Article, ArticleMeta } from "../types.js";
import { cleanText } from "./clean.js";
import { articleId, canonicalUrl } from "./identity.js";

/** What a reader extracts from a source before cleaning and identity. */
export interface ArticleDraft {
  id?: string | null;
  url?: string | null;
  title?: string | null;
  site?: string | null;
  publishedAt?: string | null;
  author?: string | null;
  body: string;
  /** File path (relative when possible) or URL the draft came from. */
  source: string;
}

/** What a reader returns: the drafts it could read and a warning for each thing it could not. */
export interface ReadResult {
  drafts: ArticleDraft[];
  warnings: string[];
}

/** Normalise a date from front matter, JSON or HTML metadata to ISO 8601 (date only when no time was given). */
export function normalizeDate(value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  const text = String(value).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const parsed = new Date(text);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

/** A string field, trimmed, or null. */
export function str(value: unknown): string | null {
  if (typeof value === "string") {
    const t = value.trim();
    return t.length > 0 ? t : null;
  }
  if (typeof value === "number") return String(value);
  return null;
}

/** Clean a draft's body and give it its identity; null when nothing is left to index. */
export function finalizeArticle(draft: ArticleDraft, fetchedAt = new Date().toISOString()): Article | null {
  const text = cleanText(draft.body).text;
  if (text.length === 0) return null;
  const url = draft.url ? (canonicalUrl(draft.url) ?? null) : null;
  const title = (draft.title ?? "").replace(/\s+/g, " ").trim() || firstWords(text);
  return {
    id: draft.id ?? articleId(url, draft.source),
    url,
    title,
    site: draft.site ?? (url ? new URL(url).hostname.replace(/^www\./, "") : null),
    publishedAt: draft.publishedAt ?? null,
    author: draft.author ?? null,
    text,
    fetchedAt,
    source: draft.source,
  };
}

function firstWords(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length <= 80 ? line : `${line.slice(0, 77).replace(/\s+\S*$/, "")}…`;
}

/** An article's metadata: what hits and quotes carry (everything but the text and the read time). */
export function toMeta(article: Article): ArticleMeta {
  const { text: _text, fetchedAt: _fetchedAt, ...meta } = article;
  return meta;
}
