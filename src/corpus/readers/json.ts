import { type ArticleDraft, normalizeDate, type ReadResult, str } from "../article.js";

/** One record `{ id?, title, url?, text, published?, site?, author? }` to a draft, or a reason it cannot be one. */
export function recordToDraft(record: unknown, source: string): ArticleDraft | string {
  if (!record || typeof record !== "object" || Array.isArray(record)) return "not an object";
  const r = record as Record<string, unknown>;
  const text = typeof r.text === "string" ? r.text : typeof r.body === "string" ? r.body : null;
  if (text === null || text.trim().length === 0) return 'no "text"';
  return {
    id: str(r.id),
    title: str(r.title),
    url: str(r.url),
    site: str(r.site),
    publishedAt: normalizeDate(r.published ?? r.publishedAt ?? r.published_at ?? r.date),
    author: str(r.author),
    body: text,
    source,
  };
}

/** Read a `.json` file: one record, an array of records, or `{ "articles": [...] }`. */
export function readJson(content: string, source: string): ReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^\ufeff/, ""));
  } catch (error) {
    return { drafts: [], warnings: [`${source}: not valid JSON (${(error as Error).message})`] };
  }
  const records = Array.isArray(parsed)
    ? parsed
    : parsed && typeof parsed === "object" && Array.isArray((parsed as { articles?: unknown }).articles)
      ? (parsed as { articles: unknown[] }).articles
      : [parsed];
  const drafts: ArticleDraft[] = [];
  const warnings: string[] = [];
  records.forEach((record, i) => {
    const draft = recordToDraft(record, `${source}#${i}`);
    if (typeof draft === "string") warnings.push(`${source}: record ${i + 1} skipped: ${draft}`);
    else drafts.push(draft);
  });
  return { drafts, warnings };
}

/** One line of a JSONL file (numbered from 1) to a draft, or the warning that says why it was skipped. */
export function jsonlLine(line: string, source: string, lineNumber: number): ArticleDraft | string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    return `${source}:${lineNumber}: malformed JSON line skipped (${(error as Error).message})`;
  }
  const draft = recordToDraft(record, `${source}:${lineNumber}`);
  return typeof draft === "string" ? `${source}:${lineNumber}: record skipped: ${draft}` : draft;
}

/** Read a `.jsonl` file; a malformed line is reported with its number and the other lines still load. */
export function readJsonl(content: string, source: string): ReadResult {
  const drafts: ArticleDraft[] = [];
  const warnings: string[] = [];
  const lines = content.replace(/^\ufeff/, "").split("\n");
  lines.forEach((line, i) => {
    if (line.trim().length === 0) return;
    const draft = jsonlLine(line, source, i + 1);
    if (typeof draft === "string") warnings.push(draft);
    else drafts.push(draft);
  });
  return { drafts, warnings };
}
