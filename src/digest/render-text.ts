import { citationLine, quoteWithEllipses } from "../render/citation.js";
import type { Digest } from "./build.js";

/** A digest for a terminal. */
export function renderDigestText(digest: Digest, heading: string): string {
  if (digest.items.length === 0)
    return `${heading}\n\nNothing new${digest.topic ? ` about "${digest.topic}"` : ""}.`;
  const lines = [heading, ""];
  digest.items.forEach((item, i) => {
    lines.push(`${i + 1}. ${citationLine(item.article)}`);
    for (const q of item.summary) lines.push(`   “${quoteWithEllipses(q)}”`);
    lines.push(`   ${item.summary[0]?.link ?? item.article.url ?? item.article.source}`, "");
  });
  if (digest.more > 0) lines.push(`…and ${digest.more} more.`);
  return lines.join("\n").trimEnd();
}
