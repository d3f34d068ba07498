import type { Answer, Hit } from "../types.js";
import { ageNote, citationLine, quoteWithEllipses } from "./citation.js";

/** An answer for a terminal: numbered quotes, each with its source and link. */
export function renderAnswerText(answer: Answer): string {
  const lines: string[] = answer.searchedFor ? [`Showing results for “${answer.searchedFor}”.`, ""] : [];
  if (answer.note) lines.push(answer.note, "");
  if (answer.status === "nothing-relevant") {
    lines.push(
      "Nothing in the corpus answers that.",
      answer.reason ? `(${answer.reason})` : "",
      "Try other words, or `npm run search` to see what the corpus holds.",
    );
    return lines.filter(Boolean).join("\n");
  }
  if (answer.prose) lines.push(answer.prose, "");
  answer.quotes.forEach((q, i) => {
    lines.push(`[${i + 1}] “${quoteWithEllipses(q)}”`);
    lines.push(`    — ${citationLine(q.article)}${ageNote(q.article.publishedAt)}`);
    lines.push(`    ${q.link ?? q.article.source}`);
    lines.push("");
  });
  if (answer.status === "degraded" && answer.reason) lines.push(`(${answer.reason})`);
  return lines.join("\n").trimEnd();
}

/** Search hits for a terminal: rank, score, source and the passage. */
export function renderHitsText(hits: Hit[]): string {
  if (hits.length === 0) return "No passage matches.";
  return hits
    .map((h, i) => {
      const text = h.passage.text.length > 400 ? `${h.passage.text.slice(0, 400)}…` : h.passage.text;
      return `${i + 1}. ${citationLine(h.article)}  (score ${h.score.toFixed(2)})\n   ${text}\n   ${h.article.url ?? h.article.source}`;
    })
    .join("\n\n");
}
