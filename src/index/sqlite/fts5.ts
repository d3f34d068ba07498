import type Database from "better-sqlite3";
import type { MatchQuery, MatchRow } from "../contracts.js";
import { sourceMatches } from "../filters.js";
import { type FullTextIndex, ROW_COLUMNS, TITLE_WEIGHT } from "../full-text.js";
import { toMatchExpression } from "./fts-expression.js";

/** Best-scored rows a date- or source-limited search looks among first, before checking every matching row. */
const PREFILTER_ROWS = 2000;
/** Passages held back before they are written (a few MB of text at most). */
const PENDING_PASSAGES = 20_000;
/**
 * A date window holding at most this many passages, and at most `LISTED_SHARE` of the index, is searched among its own
 * passages only; a broader one among the best-scored rows of the whole match first.
 */
const LISTED_PASSAGES = 20_000;
const LISTED_SHARE = 0.2;

/** The SQL conditions on articles `a` of a date window (two parameters) and/or a source (one), in that order. */
function filterConditions(window: boolean, source: boolean): string {
  return [
    ...(window ? ["a.published_at >= ?", "a.published_at < ?"] : []),
    ...(source ? ["source_matches(?, a.site, a.url)"] : []),
  ].join(" AND ");
}

/** Full-text search on SQLite: an FTS5 table over titles and passages, BM25 by FTS5 itself. */
export class Fts5Index implements FullTextIndex {
  private readonly stmts;
  private readonly filtered = new Map<string, Database.Statement>();
  /** Passages added and not yet written: (id, title, text). */
  private pending: [number, string, string][] = [];
  /** The passages a filtered search may return, set for the duration of one statement (read by `passage_allowed`). */
  private allowed: ReadonlySet<number> = new Set();
  /**
   * Articles and passages in the index, counted once until the store says the index changed (`forget`: after its own
   * writes and another process's). They only choose how a dated search runs, never what it finds.
   */
  private totals: { articles: number; passages: number } | null = null;

  constructor(private readonly db: Database.Database) {
    // The source rule is the one `retrieve` applies to vector neighbours, so both paths keep the same articles.
    db.function("source_matches", { deterministic: true }, (source, site, url) =>
      sourceMatches(String(source), site === null ? null : String(site), url === null ? null : String(url))
        ? 1
        : 0,
    );
    // Only rows that pass reach bm25(): scoring the whole match to keep a few dated rows is what made these slow.
    db.function("passage_allowed", { deterministic: false }, (id) => (this.allowed.has(Number(id)) ? 1 : 0));
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
      totals: db.prepare<[], { articles: number; passages: number }>(
        "SELECT (SELECT count(*) FROM articles) AS articles, (SELECT count(*) FROM passages) AS passages",
      ),
      dated: db.prepare<[string, string, number], { n: number }>(
        "SELECT count(*) AS n FROM (SELECT 1 FROM articles WHERE published_at >= ? AND published_at < ? LIMIT ?)",
      ),
      dataVersion: db.prepare<[], { data_version: number }>("PRAGMA data_version"),
    };
  }

  add(title: string, passages: readonly { id: number; text: string }[]): void {
    for (const p of passages) this.pending.push([p.id, title, p.text]);
    if (this.pending.length >= PENDING_PASSAGES) this.flush();
  }

  /**
   * Write the passages added since the last flush. They are held back because FTS5 writes out its pending terms
   * whenever another statement of the transaction begins: written between each article's own inserts, every article
   * became a segment of its own to merge (100k passages: the passages' inserts took 3.7 s of an 8 s ingest, 0.7 s
   * with the full-text rows written after them).
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    for (const [id, title, text] of rows) this.stmts.insert.run(id, title, text);
  }

  discard(): void {
    this.pending = [];
  }

  remove(passageIds: readonly number[]): void {
    this.flush();
    for (const id of passageIds) this.stmts.delete.run(id);
  }

  /** Rows matching the query, best first (the query's words only ever reach MATCH as literals). */
  match(query: MatchQuery, limit: number): MatchRow[] {
    this.flush();
    const expression = toMatchExpression(query);
    if (!query.window && !query.source) return this.stmts.match.all(expression, limit);
    const filters: string[] = [];
    if (query.window) filters.push(query.window.from, query.window.to);
    if (query.source) filters.push(query.source);
    const window = Boolean(query.window);
    const source = Boolean(query.source);
    // A narrow window (a month of a large corpus): its passages are listed (dates are indexed) and only the matching
    // rows among them are scored, instead of scoring the whole match to keep the few dated rows.
    if (query.window && this.narrow(query.window)) {
      this.allowed = new Set(
        this.allowedPassages(window, source)
          .raw()
          .all(...filters)
          .map((r) => Number((r as unknown[])[0])),
      );
      try {
        return this.allowedMatch().all(expression, limit) as MatchRow[];
      } finally {
        this.allowed = new Set();
      }
    }
    // Else first among the best-scored rows only, joined to their articles; when those hold `limit` rows inside the
    // filters, they are exactly the best such rows (every better one ranks above them), and so they are when they
    // were every matching row. Else every matching row is checked.
    const first = this.prefiltered(window, source).all(
      expression,
      PREFILTER_ROWS,
      ...filters,
      limit,
    ) as MatchRow[];
    if (first.length >= limit || (this.stmts.count.get(expression)?.n ?? 0) <= PREFILTER_ROWS) return first;
    return this.filteredMatch(window, source).all(expression, ...filters, limit) as MatchRow[];
  }

  /**
   * The statement for the best-scored rows among the passages of the filters (`this.allowed`): FTS5 reads the
   * match, and bm25() and the joins run only for the rows inside the filters.
   */
  private allowedMatch() {
    let statement = this.filtered.get("allowed");
    if (!statement) {
      statement = this.db.prepare(
        `SELECT ${ROW_COLUMNS}, -f.score AS score
         FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
               WHERE passage_fts MATCH ? AND passage_allowed(rowid) ORDER BY score LIMIT ?) f
         JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
         ORDER BY f.score`,
      );
      this.filtered.set("allowed", statement);
    }
    return statement;
  }

  /**
   * The ids of the passages inside a date window and/or of a source. Dates are publication dates: an undated article
   * is outside every window, since the time it was first seen says when it was indexed (a bulk import, a dataset),
   * not when it was news. Plain comparisons of the stored date keep what its first ten characters would.
   */
  private allowedPassages(window: boolean, source: boolean) {
    const key = `ids|${window}|${source}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      const conditions = filterConditions(window, source);
      statement = this.db.prepare(
        `SELECT p.id FROM articles a JOIN passages p ON p.article_id = a.id WHERE ${conditions}`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  /** Whether a date window holds few passages: its articles (dates are indexed) times passages per article. */
  private narrow(window: { from: string; to: string }): boolean {
    this.totals ??= this.stmts.totals.get() ?? { articles: 0, passages: 0 };
    const { articles, passages } = this.totals;
    if (articles === 0 || passages === 0) return true;
    const most = Math.min(LISTED_PASSAGES, LISTED_SHARE * passages);
    // Counting stops past the articles a narrow window can hold: a broad one ("since 2020") is not counted through.
    const cap = Math.floor((most * articles) / passages) + 1;
    const dated = this.stmts.dated.get(window.from, window.to, cap)?.n ?? 0;
    return (dated * passages) / articles <= most;
  }

  /** The statement for every matching row inside a date window and/or of a source, each joined to its article. */
  private filteredMatch(window: boolean, source: boolean) {
    const key = `all|${window}|${source}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      statement = this.db.prepare(
        `SELECT ${ROW_COLUMNS}, -bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score
         FROM passage_fts JOIN passages p ON p.id = passage_fts.rowid JOIN articles a ON a.id = p.article_id
         WHERE passage_fts MATCH ? AND ${filterConditions(window, source)}
         ORDER BY bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) LIMIT ?`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  /** The statement for the best-scored rows of a match that are also inside a date window and/or of a source. */
  private prefiltered(window: boolean, source: boolean) {
    const key = `${window}|${source}`;
    let statement = this.filtered.get(key);
    if (!statement) {
      const conditions = filterConditions(window, source);
      statement = this.db.prepare(
        `SELECT ${ROW_COLUMNS}, -f.score AS score
         FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
               WHERE passage_fts MATCH ? ORDER BY score LIMIT ?) f
         JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
         WHERE ${conditions} ORDER BY f.score LIMIT ?`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  countMatches(query: MatchQuery): number {
    this.flush();
    return this.stmts.count.get(toMatchExpression(query))?.n ?? 0;
  }

  docFreq(stem: string): number {
    this.flush();
    return this.stmts.docFreq.get(stem)?.doc ?? 0;
  }

  vocabulary(minDoc: number): { term: string; doc: number }[] {
    this.flush();
    return this.stmts.vocabulary.all(minDoc);
  }

  termRange(from: string, to: string, limit: number): string[] {
    this.flush();
    return this.stmts.range.all(from, to, limit).map((r) => r.term);
  }

  forget(): void {
    // FTS5 keeps its own statistics: only the totals that choose how to search a date window are cached here.
    this.totals = null;
  }

  /** SQLite's `data_version`: it changes exactly when another connection commits. */
  changeMark(): string {
    return String(this.stmts.dataVersion.get()?.data_version ?? 0);
  }
}
