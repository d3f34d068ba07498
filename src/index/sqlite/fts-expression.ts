import type { MatchQuery } from "../contracts.js";

/** An FTS5 string literal: the only way user text reaches MATCH, so its syntax is never interpreted. */
export function ftsString(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** The FTS5 MATCH expression of a query: each term is one of its words or phrases (OR), joined by AND or OR. */
export function toMatchExpression(query: MatchQuery): string {
  return query.terms
    .map((options) =>
      options.length === 1 ? ftsString(options[0] ?? "") : `(${options.map(ftsString).join(" OR ")})`,
    )
    .join(query.mode === "and" ? " AND " : " OR ");
}
