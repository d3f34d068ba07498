import { parse as parseYaml } from "yaml";
import { normalizeDate, type ReadResult, str } from "../article.js";

/** Markdown to plain text: the words a reader sees, with paragraphs kept. */
export function markdownToText(md: string): string {
  return md
    .replace(/```[\s\S]*?```/g, (block) => block.replace(/```\w*\n?/g, ""))
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/^\s{0,3}\[[^\]]+\]:\s+\S+.*$/gm, "")
    .replace(/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/gm, "\n$1\n")
    .replace(/^\s{0,3}>\s?/gm, "")
    .replace(/^\s{0,3}([-*_])(\s*\1){2,}\s*$/gm, "")
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1$2")
    .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, "$1$2")
    .replace(/`([^`\n]+)`/g, "$1")
    .replace(/<[^>\n]+>/g, "");
}

/** Read a Markdown file with optional YAML front matter (title, url, published, site, author). */
export function readMarkdown(content: string, source: string): ReadResult {
  const warnings: string[] = [];
  let meta: Record<string, unknown> = {};
  let body = content.replace(/^\ufeff/, "");
  const fm = /^---\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)\s*(?:\r?\n|$)/.exec(body);
  if (fm) {
    body = body.slice(fm[0].length);
    try {
      const parsed: unknown = parseYaml(fm[1] ?? "");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        meta = parsed as Record<string, unknown>;
      else if (parsed !== null && parsed !== undefined)
        warnings.push(`${source}: front matter is not a mapping; ignored`);
    } catch (error) {
      warnings.push(
        `${source}: front matter is not valid YAML (${(error as Error).message.split("\n")[0]}); ignored`,
      );
    }
  }
  let title = str(meta.title);
  let text = markdownToText(body);
  // A body that opens with the front matter's title as a heading would repeat it as the first paragraph.
  const leading = /^\s*#\s+(.+)$/m.exec(body);
  if (
    title &&
    leading?.[1] &&
    body.trimStart().startsWith("#") &&
    markdownToText(leading[1]).trim() === title
  ) {
    text = markdownToText(body.replace(leading[0], ""));
  }
  if (!title) {
    // A leading "# Heading" is the title when front matter gives none.
    const heading = /^\s*#\s+(.+)$/m.exec(body);
    if (heading?.[1] && body.trimStart().startsWith("#")) {
      title = markdownToText(heading[1]).trim();
      text = markdownToText(body.replace(heading[0], ""));
    }
  }
  return {
    drafts: [
      {
        id: str(meta.id),
        title,
        url: str(meta.url) ?? str(meta.link) ?? str(meta.canonical),
        site: str(meta.site) ?? str(meta.source),
        publishedAt: normalizeDate(meta.published ?? meta.date ?? meta.publishedAt ?? meta.published_at),
        author: str(meta.author),
        body: text,
        source,
      },
    ],
    warnings,
  };
}
