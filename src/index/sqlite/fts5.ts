import type Database from "better-sqlite3";
import type { MatchQuery, MatchRow } from "../contracts.js";
import { sourceMatches } from "../filters.js";
import { type FullTextIndex, ROW_COLUMNS, TITLE_WEIGHT } from "../full-text.js";
import { COUNT_EVERY_TERM, ftsTokenizer, indexLanguage } from "./database.js";
import { toMatchExpression } from "./fts-expression.js";

/** Best-scored rows a date- or source-limited search looks among first, before checking every matching row. */
const PREFILTER_ROWS = 2000;
/**
 * Passages held back before they are written. 5,000 and 20,000 wrote equally fast; 5,000 holds less in memory
 * (a 1M-passage bulk load peaked at 291 MB instead of 310).
 */
const PENDING_PASSAGES = 5_000;
/**
 * A date window holding at most this many passages, and at most `LISTED_SHARE` of the index, is searched among its own
 * passages only; a broader one among the best-scored rows of the whole match first.
 */
const LISTED_PASSAGES = 20_000;
const LISTED_SHARE = 0.2;
/**
 * A transaction adding more passages than this, and than a tenth of the index, has the term counts recounted whole
 * from FTS5 when it ends (a bulk load); a smaller one counts the words of what it added and removed.
 */
const RECOUNT_PASSAGES = 20_000;
const RECOUNT_SHARE = 0.1;

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
   * Articles in the index, counted once until the store says the index changed (`forget`: after its own writes and
   * another process's). With the passage count, they only choose how a dated search runs, never what it finds.
   */
  private articleTotal: number | null = null;
  /** The passages of an index from before the count was kept, opened read-only: counted once per change. */
  private countedRows: number | null = null;
  /** Whether the index keeps `term_counts` (an index opened read-only before it had them does not). */
  private readonly counted: boolean;
  /** Passages added since the transaction began (counted when written), and whether its end recounts every term. */
  private added = 0;
  /** Passages in the index when the transaction first wrote (what a bulk load is measured against). */
  private passagesBefore: number | null = null;
  private recount = false;
  /** Whether the temporary tables hold words not yet added to (or taken from) `term_counts`. */
  private uncounted = false;
  /** The statements that count the words of what a transaction adds and removes, made when it first writes. */
  private counting: ReturnType<Fts5Index["countingStatements"]> | null = null;
  /** Where a term's passage count is read: `term_counts`, or FTS5's own vocabulary on an index without them. */
  private readonly counts: {
    docFreq: Database.Statement<[string], { doc: number }>;
    range: Database.Statement<[string, string, number], { term: string }>;
    vocabulary: Database.Statement<[number], { term: string; doc: number }>;
  };

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
      vocabDocFreq: db.prepare<[string], { doc: number }>("SELECT doc FROM passage_vocab WHERE term = ?"),
      count: db.prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM passage_fts WHERE passage_fts MATCH ?",
      ),
      articles: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM articles"),
      dated: db.prepare<[string, string, number], { n: number }>(
        "SELECT count(*) AS n FROM (SELECT 1 FROM articles WHERE published_at >= ? AND published_at < ? LIMIT ?)",
      ),
      dataVersion: db.prepare<[], { data_version: number }>("PRAGMA data_version"),
      passageCount: db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'passages'"),
      countPassages: db.prepare<[number]>(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + ? AS TEXT) WHERE key = 'passages'",
      ),
      countedPassages: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM passages"),
    };
    this.counted = Boolean(
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'term_counts'").get(),
    );
    // FTS5's own counts (`fts5vocab`) read a term's whole doclist: 1 ms for a word in most passages at 100k (longer
    // at 1M), for every word of a question after each change of the index. `term_counts` holds them.
    const counts = this.counted ? "term_counts" : "passage_vocab";
    this.counts = {
      docFreq: db.prepare<[string], { doc: number }>(`SELECT doc FROM ${counts} WHERE term = ?`),
      range: db.prepare<[string, string, number], { term: string }>(
        `SELECT term FROM ${counts} WHERE term >= ? AND term < ? ORDER BY doc DESC, term LIMIT ?`,
      ),
      vocabulary: db.prepare<[number], { term: string; doc: number }>(
        `SELECT term, doc FROM ${counts} WHERE doc >= ?`,
      ),
    };
  }

  /**
   * Temporary full-text tables, with FTS5's own tokenizer, that the passages a transaction adds and removes are
   * also written to: their vocabularies are exactly what the change does to each term's count.
   */
  private countingStatements() {
    const tokenize = ftsTokenizer(indexLanguage(this.db));
    for (const side of ["added", "removed"])
      this.db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS temp.${side}_fts USING fts5(title, body, content='', detail=none, tokenize='${tokenize}');
        CREATE VIRTUAL TABLE IF NOT EXISTS temp.${side}_vocab USING fts5vocab(temp, ${side}_fts, row);`);
    return {
      added: this.db.prepare<[string, string]>("INSERT INTO temp.added_fts (title, body) VALUES (?, ?)"),
      removed: this.db.prepare<[string, string]>("INSERT INTO temp.removed_fts (title, body) VALUES (?, ?)"),
      removedRows: this.db.prepare<[string], { title: string; text: string }>(
        `SELECT a.title, p.text FROM passages p JOIN articles a ON a.id = p.article_id
         WHERE p.id IN (SELECT value FROM json_each(?))`,
      ),
      apply: this.db.prepare(
        `INSERT INTO term_counts (term, doc) SELECT term, doc FROM temp.added_vocab WHERE true
         ON CONFLICT (term) DO UPDATE SET doc = doc + excluded.doc`,
      ),
      subtract: this.db.prepare(
        `UPDATE term_counts SET doc = term_counts.doc - r.doc FROM temp.removed_vocab r WHERE term_counts.term = r.term`,
      ),
      prune: this.db.prepare("DELETE FROM term_counts WHERE doc <= 0"),
      clearAdded: this.db.prepare("INSERT INTO temp.added_fts (added_fts) VALUES ('delete-all')"),
      clearRemoved: this.db.prepare("INSERT INTO temp.removed_fts (removed_fts) VALUES ('delete-all')"),
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
    if (this.pending.length > 0) {
      const rows = this.pending;
      this.pending = [];
      for (const [id, title, text] of rows) this.stmts.insert.run(id, title, text);
      this.stmts.countPassages.run(rows.length);
      if (this.counted) this.countAdded(rows);
    }
    if (this.counted && !this.recount) this.applyCounts();
  }

  /** Count the words of passages just written, or, past a bulk load's size, leave them to the recount at the end. */
  private countAdded(rows: [number, string, string][]): void {
    this.added += rows.length;
    if (this.recount) return;
    const before = this.passageTotal();
    // Into an empty index everything is new: counting it at the end is counting it once.
    if (before === 0 || (this.added >= RECOUNT_PASSAGES && this.added > RECOUNT_SHARE * before)) {
      // Counting again what FTS5 has just counted would double a bulk load's tokenizing: one recount at the end.
      this.recount = true;
      return;
    }
    const counting = this.countingNow();
    for (const [, title, text] of rows) counting.added.run(title, text);
    this.uncounted = true;
  }

  /** The index's passages before this transaction's, counted once per transaction (a count of 1M rows takes ms). */
  private passageTotal(): number {
    this.passagesBefore ??= Math.max(0, this.keptPassages() - this.added);
    return this.passagesBefore;
  }

  private countingNow() {
    this.counting ??= this.countingStatements();
    return this.counting;
  }

  /** Bring `term_counts` up to what was added and removed since it was last brought up to date. */
  private applyCounts(): void {
    if (!this.counting || !this.uncounted) return;
    const c = this.counting;
    c.apply.run();
    c.subtract.run();
    c.prune.run();
    c.clearAdded.run();
    c.clearRemoved.run();
    this.uncounted = false;
  }

  /** Count every term again from FTS5's vocabulary (a full scan: 0.5 s at 100k passages), and go on from there. */
  private recountAll(): void {
    this.db.prepare("DELETE FROM term_counts").run();
    this.db.prepare(COUNT_EVERY_TERM).run();
    // What the temporary tables hold is in FTS5's vocabulary already. (Not made for this: see `firstLoad`.)
    if (this.counting) {
      this.counting.clearAdded.run();
      this.counting.clearRemoved.run();
    }
    this.uncounted = false;
    this.recount = false;
  }

  /**
   * Whether this connection has made its temporary counting tables: SQLite then refuses to checkpoint after the
   * journal mode changes (`firstLoad` leaves the mode alone).
   */
  hasTemporaryTables(): boolean {
    return this.counting !== null;
  }

  settle(): void {
    this.flush();
    if (this.recount) this.recountAll();
    this.added = 0;
    this.passagesBefore = null;
  }

  discard(): void {
    this.pending = [];
    // A savepoint rolled back inside a transaction that goes on keeps that transaction's counting as it was (its
    // own temporary rows are rolled back with it); a transaction rolled back whole starts the next one afresh.
    if (!this.db.inTransaction) {
      this.added = 0;
      this.passagesBefore = null;
      this.recount = false;
      this.uncounted = false;
    }
  }

  remove(passageIds: readonly number[]): void {
    this.flush();
    if (this.counted && !this.recount && passageIds.length > 0) {
      const counting = this.countingNow();
      for (const row of counting.removedRows.all(JSON.stringify(passageIds)))
        counting.removed.run(row.title, row.text);
      this.uncounted = true;
    }
    for (const id of passageIds) this.stmts.delete.run(id);
    this.stmts.countPassages.run(-passageIds.length);
  }

  passageCount(): number {
    this.flush();
    return this.keptPassages();
  }

  /** The passage count as the writes keep it, including rows just written (no flush: `flush` itself reads it). */
  private keptPassages(): number {
    const kept = this.stmts.passageCount.get();
    // An index made before the count was kept, opened read-only: count its rows.
    if (kept) return Number(kept.value);
    this.countedRows ??= this.stmts.countedPassages.get()?.n ?? 0;
    return this.countedRows;
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
    this.articleTotal ??= this.stmts.articles.get()?.n ?? 0;
    const articles = this.articleTotal;
    const passages = this.passageCount();
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
    // In the middle of a bulk load the counts wait for its end: FTS5 counts what it holds so far.
    if (this.recount) return this.stmts.vocabDocFreq.get(stem)?.doc ?? 0;
    return this.counts.docFreq.get(stem)?.doc ?? 0;
  }

  vocabulary(minDoc: number): { term: string; doc: number }[] {
    this.flush();
    // A read of the whole vocabulary in the middle of a bulk load: recount now, and keep counting from here.
    if (this.recount) this.recountAll();
    return this.counts.vocabulary.all(minDoc);
  }

  termRange(from: string, to: string, limit: number): string[] {
    this.flush();
    if (this.recount) this.recountAll();
    return this.counts.range.all(from, to, limit).map((r) => r.term);
  }

  forget(): void {
    // FTS5 keeps its own statistics, and the writes the passage count: only the article count is cached here.
    this.articleTotal = null;
    this.countedRows = null;
  }

  /** SQLite's `data_version`: it changes exactly when another connection commits. */
  changeMark(): string {
    return String(this.stmts.dataVersion.get()?.data_version ?? 0);
  }
}
