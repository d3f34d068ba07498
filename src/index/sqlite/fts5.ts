import type Database from "better-sqlite3";
import type { MatchQuery, MatchRow } from "../contracts.js";
import { sourceMatches } from "../filters.js";
import { type FullTextIndex, ROW_COLUMNS, TITLE_WEIGHT } from "../full-text.js";
import { toMatchExpression } from "./fts-expression.js";

/** Best-scored rows a date- or source-limited search looks among first, before checking every matching row. */
const PREFILTER_ROWS = 2000;

/** Full-text search on SQLite: an FTS5 table over titles and passages, BM25 by FTS5 itself. */
export class Fts5Index implements FullTextIndex {
  private readonly stmts;
  private readonly filtered = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    // The source rule is the one `retrieve` applies to vector neighbours, so both paths keep the same articles.
    db.function("source_matches", { deterministic: true }, (source, site, url) =>
      sourceMatches(String(source), site === null ? null : String(site), url === null ? null : String(url))
        ? 1
        : 0,
    );
    this.stmts = {
      insert: db.prepare<[number, string, string]>(
        "INSERT INTO passage_fts (rowid, title, body) VALUES (?, ?, ?)",
      ),
      delete: db.prepare<[number]>("DELETE FROM passage_fts WHERE rowid = ?"),
      match: db.prepare<[string, number], MatchRow>(
        `SELECT ${ROW_COLUMNS}, -f.score AS score
         FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
               WHERE passage_fts MATCH ? ORDER BY score LIMIT ?) f
         JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
         ORDER BY f.score`,
      ),
      docFreq: db.prepare<[string], { doc: number }>("SELECT doc FROM passage_vocab WHERE term = ?"),
      range: db.prepare<[string, string, number], { term: string }>(
        "SELECT term FROM passage_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC LIMIT ?",
      ),
      count: db.prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM passage_fts WHERE passage_fts MATCH ?",
      ),
      vocabulary: db.prepare<[number], { term: string; doc: number }>(
        "SELECT term, doc FROM passage_vocab WHERE doc >= ?",
      ),
      dataVersion: db.prepare<[], { data_version: number }>("PRAGMA data_version"),
    };
  }

  add(title: string, passages: readonly { id: number; text: string }[]): void {
    for (const p of passages) this.stmts.insert.run(p.id, title, p.text);
  }

  flush(): void {
    // FTS5 writes each passage as it is added.
  }

  remove(passageIds: readonly number[]): void {
    for (const id of passageIds) this.stmts.delete.run(id);
  }

  /** Rows matching the query, best first (the query's words only ever reach MATCH as literals). */
  match(query: MatchQuery, limit: number): MatchRow[] {
    const expression = toMatchExpression(query);
    if (!query.window && !query.source) return this.stmts.match.all(expression, limit);
    const filters: string[] = [];
    if (query.window) filters.push(query.window.from, query.window.to);
    if (query.source) filters.push(query.source);
    const window = Boolean(query.window);
    const source = Boolean(query.source);
    // First among the best-scored rows only, joined to their articles; when those hold `limit` rows inside the
    // filters, they are exactly the best such rows (every better one ranks above them). Else every row is checked.
    const first = this.filteredMatch(window, source, true).all(
      expression,
      PREFILTER_ROWS,
      ...filters,
      limit,
    ) as MatchRow[];
    if (first.length >= limit) return first;
    return this.filteredMatch(window, source, false).all(expression, ...filters, limit) as MatchRow[];
  }

  /**
   * The statement for a search limited to a date window and/or a source (the rules of `filters.ts`; the window is
   * written in SQL, where it is cheap for every matching row). Dates are publication dates: an undated article is
   * outside every window, since the time it was first seen says when it was indexed (a bulk import, a dataset), not
   * when it was news.
   */
  private filteredMatch(window: boolean, source: boolean, prefilter: boolean) {
    const key = `${window}|${source}|${prefilter}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      // Plain comparisons of the stored date: for a YYYY-MM-DD bound they keep what its first ten characters would.
      const conditions = [
        ...(window ? ["a.published_at >= ?", "a.published_at < ?"] : []),
        ...(source ? ["source_matches(?, a.site, a.url)"] : []),
      ].join(" AND ");
      statement = this.db.prepare(
        prefilter
          ? `SELECT ${ROW_COLUMNS}, -f.score AS score
             FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
                   WHERE passage_fts MATCH ? ORDER BY score LIMIT ?) f
             JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
             WHERE ${conditions} ORDER BY f.score LIMIT ?`
          : `SELECT ${ROW_COLUMNS}, -bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score
             FROM passage_fts JOIN passages p ON p.id = passage_fts.rowid JOIN articles a ON a.id = p.article_id
             WHERE passage_fts MATCH ? AND ${conditions}
             ORDER BY bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) LIMIT ?`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  countMatches(query: MatchQuery): number {
    return this.stmts.count.get(toMatchExpression(query))?.n ?? 0;
  }

  docFreq(stem: string): number {
    return this.stmts.docFreq.get(stem)?.doc ?? 0;
  }

  vocabulary(minDoc: number): { term: string; doc: number }[] {
    return this.stmts.vocabulary.all(minDoc);
  }

  termRange(from: string, to: string, limit: number): string[] {
    return this.stmts.range.all(from, to, limit).map((r) => r.term);
  }

  forget(): void {
    // FTS5 keeps its own statistics: nothing is cached here.
  }

  /** SQLite's `data_version`: it changes exactly when another connection commits. */
  changeMark(): string {
    return String(this.stmts.dataVersion.get()?.data_version ?? 0);
  }
}
