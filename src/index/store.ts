import { useStemming } from "../text/terms.js";
import type { Article, ArticleMeta, Passage } from "../types.js";
import type {
  ArticleStore,
  IndexStats,
  MatchQuery,
  MatchRow,
  PassageSearch,
  UpsertOutcome,
} from "./contracts.js";
import { EmbeddingStore } from "./embedding-store.js";
import { createFeedTable, type FeedTable } from "./feed-table.js";
import { type FullTextIndex, ROW_COLUMNS } from "./full-text.js";
import { isPostgresUrl, safeAddress } from "./location.js";
import { PostgresFullText } from "./postgres/full-text.js";
import { appliedMigrations, INDEX_LOCK_KEY, migratePostgres } from "./postgres/schema.js";
import { postgresConnection } from "./postgres/sync-client.js";
import { type PreparedArticle, prepareArticle } from "./prepare.js";
import { SourceStore } from "./source-store.js";
import { type SqlConnection, sqliteConnection } from "./sql.js";
import {
  checkDatabase,
  firstLoad,
  indexLanguage,
  indexProblem,
  openDatabase,
  SCHEMA_VERSION,
} from "./sqlite/database.js";
import { Fts5Index } from "./sqlite/fts5.js";

/** A row of the FTS search joined with its passage and article. */
export type { IndexStats, MatchRow, UpsertOutcome } from "./contracts.js";
export { TITLE_WEIGHT } from "./full-text.js";
export { SCHEMA_VERSION } from "./sqlite/database.js";

/** Article metadata from a joined row. */
export function rowMeta(
  row: Pick<MatchRow, "article_id" | "url" | "title" | "site" | "published_at" | "author" | "source">,
): ArticleMeta {
  return {
    id: row.article_id,
    url: row.url,
    title: row.title,
    site: row.site,
    publishedAt: row.published_at,
    author: row.author,
    source: row.source,
  };
}

/** How stale cached term counts may be after another process's ingest, at most. */
const FRESHEN_MS = 250;
/** Articles read at a time when copying an index. */
const EXPORT_PAGE = 500;
/** Passages inserted by one statement (SQLite takes at most 32,766 parameters, 6 a passage). */
const PASSAGES_PER_INSERT = 500;

type ArticleRow = Record<string, string | null>;

/** When an article was first seen and indexed, and its sequence number: what a copy of an index keeps. */
export interface ArticleOrigin {
  firstSeenAt: string;
  indexedAt: string;
  seq: number | null;
}

/**
 * The index: articles, their passages with offsets, and full-text search over them. On an SQLite file by default
 * (FTS5), or in PostgreSQL when the location is a `postgres://` address; articles, passages, feeds, sources and
 * embeddings are the same SQL on both, and only full-text search differs (`full-text.ts`). One instance per process.
 */
export class IndexStore implements ArticleStore, PassageSearch {
  private readonly sql: SqlConnection;
  private readonly text: FullTextIndex;
  /** The SQLite file, or the PostgreSQL address without its password. */
  readonly path: string;
  /** The language the index was built for (ISO 639-1): English is stemmed, others are not. */
  readonly language: string;
  /** Passage vectors by model and content hash. */
  readonly embeddings: EmbeddingStore;
  /** Followed feeds and the items taken from them. */
  readonly feeds: FeedTable;
  /** Which source files produced which articles, for incremental ingest. */
  readonly sources: SourceStore;
  /** SQLite's connection, for what only SQLite has (integrity check, checkpoint, file size). */
  private readonly sqlite: import("better-sqlite3").Database | null;
  private passageCount: number | null = null;
  /** The last committed sequence number while an asynchronous transaction is open on this connection. */
  private seqBeforeWrite: number | null = null;
  private readonly dfCache = new Map<string, number>();
  /** The backend's change mark when the caches were last checked, and when that was (ms since the epoch). */
  private seenMark: string | null = null;
  private checkedAt = 0;

  /**
   * Open an index (created when missing): an SQLite file, or a PostgreSQL database by `postgres://` address.
   * `language` (ISO 639-1, default English) is fixed when the index is created; opening an index built for another
   * language fails with what to do.
   */
  constructor(location: string, options: { readonly?: boolean; language?: string } = {}) {
    if (isPostgresUrl(location)) {
      this.path = safeAddress(location);
      this.sqlite = null;
      this.sql = postgresConnection(location, INDEX_LOCK_KEY);
      try {
        this.language = migratePostgres(this.sql, location, options.language);
      } catch (error) {
        this.sql.close();
        throw error;
      }
      this.text = new PostgresFullText(this.sql);
    } else {
      this.path = location;
      const db = openDatabase(location, options);
      this.sqlite = db;
      this.language = indexLanguage(db);
      this.sql = sqliteConnection(db);
      this.text = new Fts5Index(db);
    }
    // Questions and passages are stemmed as the index's tokenizer stems: Porter for English, not at all otherwise.
    useStemming(this.language === "en");
    this.embeddings = new EmbeddingStore(this.sql);
    this.feeds = createFeedTable(this.sql);
    this.sources = new SourceStore(this.sql);
  }

  /** A failure in words a person can act on (SQLite's codes; PostgreSQL's are worded where they arise). */
  private problem(error: unknown): unknown {
    return this.sqlite ? (indexProblem(error, this.path) ?? error) : error;
  }

  /** Run `fn` in one transaction: all of it lands or none of it. */
  transaction<T>(fn: () => T): T {
    // Inside another transaction this one is a savepoint: what the outer one added is written first, so a failure
    // here drops only this one's held-back full-text rows.
    const nested = this.sql.inTransaction();
    if (nested) this.text.flush();
    try {
      return this.sql.transaction(() => {
        const result = fn();
        if (nested) this.text.flush();
        else this.text.settle();
        return result;
      });
    } catch (error) {
      this.text.discard();
      throw this.problem(error);
    }
  }

  /**
   * Run async `fn` in one write transaction: for an ingest that reads files as it writes, so memory stays bounded
   * by one file. One writer at a time; readers see the previous index until COMMIT. The first load of an empty
   * SQLite index runs with a rollback journal (`firstLoad`).
   */
  async transactionAsync<T>(fn: () => Promise<T>): Promise<T> {
    if (this.sqlite && !this.sql.inTransaction() && this.totalPassages() === 0)
      return firstLoad(
        this.sqlite,
        () => this.writeAsync(fn),
        !(this.text instanceof Fts5Index && this.text.hasTemporaryTables()),
      );
    return this.writeAsync(fn);
  }

  private async writeAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.sql.begin();
    this.seqBeforeWrite = this.lastSeq();
    try {
      const result = await fn();
      this.text.settle();
      this.sql.commit();
      return result;
    } catch (error) {
      this.sql.rollback();
      this.text.discard();
      throw this.problem(error);
    } finally {
      this.seqBeforeWrite = null;
    }
  }

  /** Check the index (start-up, `stats`): every page of an SQLite file, the connection to PostgreSQL. Throws what is wrong, in words, and changes nothing. */
  check(): void {
    if (this.sqlite) checkDatabase(this.sqlite, this.path);
    else this.sql.get("SELECT 1 FROM meta LIMIT 1");
  }

  /** The index's schema in words: its version and, on PostgreSQL, each migration with when it ran (`npm run migrate`). */
  schemaReport(): string[] {
    if (this.sqlite)
      return [
        `SQLite index at ${this.path}: schema ${SCHEMA_VERSION}, up to date (language ${this.language}).`,
      ];
    const steps = appliedMigrations(this.sql);
    return [
      `PostgreSQL index at ${this.path}: schema ${steps.at(-1)?.version ?? 0}, up to date (language ${this.language}).`,
      ...steps.map((m) => `  ${m.version}. ${m.name} (applied ${m.applied_at})`),
    ];
  }

  /**
   * After a bulk load: PostgreSQL's planner statistics and visibility map brought up to date at once (rather than
   * when autovacuum gets to them), so searches plan on the real sizes and read term rows from the index alone.
   * SQLite needs nothing here.
   */
  optimize(): void {
    if (this.sqlite || this.sql.inTransaction()) return;
    this.sql.exec("VACUUM (ANALYZE) postings, term_counts, passages, articles");
  }

  /** Fold SQLite's write-ahead log into the database file (after a bulk load, before measuring its size). */
  checkpoint(): void {
    this.sqlite?.pragma("wal_checkpoint(TRUNCATE)");
  }

  /** Index an article (chunked into passages); an unchanged article is left as it is. */
  upsertArticle(article: Article, now = new Date().toISOString()): UpsertOutcome {
    return this.upsertPrepared(prepareArticle(article), now);
  }

  /** Index an article already hashed and chunked (by `prepareArticle`, on a reader thread). */
  upsertPrepared(prepared: PreparedArticle, now = new Date().toISOString()): UpsertOutcome {
    return this.whole(() => this.writeArticle(prepared, now));
  }

  /** One article's change lands whole: in its own transaction, unless the caller's ingest already holds one. */
  private whole<T>(work: () => T): T {
    return this.sql.inTransaction() ? work() : this.transaction(work);
  }

  /** Every article with when it was first seen and indexed and its number, oldest number first (for `copyIndex`). */
  *exportArticles(): Generator<{ article: Article; origin: ArticleOrigin }> {
    // Pages in (number, id) order: an article without a number (none since numbering) sorts first and is not lost.
    let after: [number, string] = [-1, ""];
    for (;;) {
      const page = this.sql.all<{ id: string; seq: number; first_seen_at: string; indexed_at: string }>(
        `SELECT id, coalesce(seq, 0) AS seq, first_seen_at, indexed_at FROM articles
         WHERE (coalesce(seq, 0), id) > (?, ?) ORDER BY coalesce(seq, 0), id LIMIT ?`,
        [...after, EXPORT_PAGE],
      );
      for (const row of page) {
        const article = this.getArticle(row.id);
        if (article)
          yield {
            article,
            origin: {
              firstSeenAt: row.first_seen_at,
              indexedAt: row.indexed_at,
              seq: Number(row.seq) || null,
            },
          };
      }
      const last = page.at(-1);
      if (!last || page.length < EXPORT_PAGE) return;
      after = [Number(last.seq), last.id];
    }
  }

  /** Add an article copied from another index, keeping when it was first seen and its number (digests rely on both). */
  importArticle(article: Article, origin: ArticleOrigin): UpsertOutcome {
    return this.whole(() => this.writeArticle(prepareArticle(article), origin.indexedAt, origin));
  }

  private writeArticle(prepared: PreparedArticle, now: string, origin?: ArticleOrigin): UpsertOutcome {
    const { article, hash, passages } = prepared;
    const existing = this.sql.get<{ hash: string; first_seen_at: string; seq: number | null }>(
      "SELECT hash, first_seen_at, seq FROM articles WHERE id = ?",
      [article.id],
    );
    if (existing?.hash === hash) return "unchanged";
    if (existing) this.deleteArticle(article.id);
    // The text is stored once, in the passages and the white space between them; an article whose text the
    // passages do not rebuild exactly (none does today) keeps its own copy.
    let rebuilt = "";
    let at = 0;
    const seps = passages.map((p) => {
      const sep = article.text.slice(at, p.start);
      rebuilt += sep + p.text;
      at = p.end;
      return sep;
    });
    // An article keeps the time it was first seen, and its sequence number, across updates, so digests never post
    // it twice. A new article's number is the next one inside the writing transaction: there is one writer at a
    // time (SQLite's lock, PostgreSQL's advisory lock), so numbers are committed in order and a reader never sees a
    // gap that fills later.
    this.sql.run(
      `INSERT INTO articles (id, url, title, site, published_at, author, text, fetched_at, source, hash, indexed_at, first_seen_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, (SELECT coalesce(max(seq), 0) + 1 FROM articles)))`,
      [
        article.id,
        article.url,
        article.title,
        article.site,
        article.publishedAt,
        article.author,
        rebuilt === article.text ? "" : article.text,
        article.fetchedAt,
        article.source,
        hash,
        now,
        origin?.firstSeenAt ?? existing?.first_seen_at ?? now,
        origin?.seq ?? existing?.seq ?? null,
      ],
    );
    const indexed: { id: number; text: string }[] = [];
    for (let from = 0; from < passages.length; from += PASSAGES_PER_INSERT) {
      const batch = passages.slice(from, from + PASSAGES_PER_INSERT);
      const rows = this.sql.all<{ id: number; ordinal: number }>(
        `INSERT INTO passages (article_id, ordinal, start_offset, end_offset, text, sep)
         VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")} RETURNING id, ordinal`,
        batch.flatMap((p, i) => [article.id, p.ordinal, p.start, p.end, p.text, seps[from + i] ?? ""]),
      );
      const ids = new Map(rows.map((r) => [Number(r.ordinal), Number(r.id)]));
      for (const p of batch) indexed.push({ id: ids.get(p.ordinal) ?? 0, text: p.text });
    }
    this.text.add(article.title, indexed);
    this.forgetFrequencies();
    return existing ? "updated" : "added";
  }

  /** Remove an article, its passages and their full-text rows. */
  removeArticle(id: string): boolean {
    return this.whole(() => this.deleteArticle(id));
  }

  private deleteArticle(id: string): boolean {
    const ids = this.sql.all<{ id: number }>("SELECT id FROM passages WHERE article_id = ?", [id]);
    this.text.remove(ids.map((r) => Number(r.id)));
    const removed = this.sql.run("DELETE FROM articles WHERE id = ?", [id]).changes > 0;
    if (removed) this.forgetFrequencies();
    return removed;
  }

  /**
   * Drop the cached counts when another connection has committed since they were read: a worker's or another
   * shard's ingest, which this connection's own writes never report. The backend's change mark says when; it is
   * read at most every `FRESHEN_MS`, so a question's many lookups cost one check.
   */
  private freshen(): void {
    const now = Date.now();
    if (now - this.checkedAt < FRESHEN_MS) return;
    this.checkedAt = now;
    const mark = this.text.changeMark();
    if (this.seenMark !== null && mark !== this.seenMark) this.forgetFrequencies();
    this.seenMark = mark;
  }

  /** Forget cached term frequencies and the passage count: after a write, another process's, or for a cold bench. */
  forgetFrequencies(): void {
    this.passageCount = null;
    this.dfCache.clear();
    this.text.forget();
  }

  private setMeta(key: string, value: string): void {
    this.sql.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [key, value],
    );
  }

  private getMeta(key: string): string | null {
    return this.sql.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [key])?.value ?? null;
  }

  /** Mark the end of an ingest that changed something: bumps the version caches key on. */
  bumpVersion(now = new Date().toISOString()): number {
    const version = this.version() + 1;
    this.setMeta("version", String(version));
    this.setMeta("last_ingest_at", now);
    return version;
  }

  /** Record an ingest that changed nothing. */
  touchIngest(now = new Date().toISOString()): void {
    this.setMeta("last_ingest_at", now);
  }

  /** The index version: it changes whenever the corpus does. */
  version(): number {
    return Number(this.getMeta("version") ?? 0);
  }

  /** A stored article, whole. */
  getArticle(id: string): Article | null {
    // The text is rebuilt from the passages in the same read (one round trip to PostgreSQL).
    const row = this.sql.get<ArticleRow>(
      `SELECT a.*, CASE WHEN a.text = '' THEN (SELECT string_agg(p.sep || p.text, '' ORDER BY p.ordinal)
                                                FROM passages p WHERE p.article_id = a.id) END AS rebuilt
       FROM articles a WHERE a.id = ?`,
      [id],
    );
    if (!row) return null;
    return {
      id: row.id ?? id,
      url: row.url ?? null,
      title: row.title ?? "",
      site: row.site ?? null,
      publishedAt: row.published_at ?? null,
      author: row.author ?? null,
      text: row.text || row.rebuilt || "",
      fetchedAt: row.fetched_at ?? "",
      source: row.source ?? "",
    };
  }

  private lastSeq(): number {
    return Number(this.sql.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM articles")?.seq ?? 0);
  }

  /**
   * The sequence number of the newest committed article (0 when none). While this connection's own asynchronous
   * ingest is open, its uncommitted articles are not counted: a digest must never post what may yet roll back.
   */
  committedSeq(): number {
    return this.seqBeforeWrite ?? this.lastSeq();
  }

  /** The sequence number of the newest article first seen at or before `time` (0 when none). */
  seqAt(time: string): number {
    return Number(
      this.sql.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM articles WHERE first_seen_at <= ?", [
        time,
      ])?.seq ?? 0,
    );
  }

  /** Ids of articles numbered in `(after, until]` (new since a digest), newest first. */
  articlesInSeq(after: number, until: number, limit = 10_000): string[] {
    return this.sql
      .all<{ id: string }>(
        "SELECT id FROM articles WHERE seq > ? AND seq <= ? ORDER BY coalesce(published_at, first_seen_at) DESC, id LIMIT ?",
        [after, until, limit],
      )
      .map((r) => r.id);
  }

  /** Ids of articles first seen in `(after, until]`, newest first. */
  articlesFirstSeen(after: string, until: string, limit = 10_000): string[] {
    return this.sql
      .all<{ id: string }>(
        "SELECT id FROM articles WHERE first_seen_at > ? AND first_seen_at <= ? ORDER BY coalesce(published_at, first_seen_at) DESC, id LIMIT ?",
        [after, until, limit],
      )
      .map((r) => r.id);
  }

  /** An article's passages in order. */
  passagesOf(articleId: string): Passage[] {
    return this.sql
      .all<MatchRow>(
        `SELECT ${ROW_COLUMNS}, 0 AS score
         FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.article_id = ? ORDER BY p.ordinal`,
        [articleId],
      )
      .map(rowPassage);
  }

  /** Rows matching the query, best first (BM25; the query's words only ever reach the backend as literals). */
  match(query: MatchQuery, limit: number): MatchRow[] {
    // A window no article is dated in holds nothing: no need to score every matching row to find that out.
    if (
      query.window &&
      !this.sql.get("SELECT 1 AS one FROM articles WHERE published_at >= ? AND published_at < ? LIMIT 1", [
        query.window.from,
        query.window.to,
      ])
    )
      return [];
    return this.text.match(query, limit);
  }

  /** The sites articles come from, most articles first (for choosing a source). */
  sites(limit = 100): { site: string; articles: number }[] {
    return this.sql
      .all<{ site: string; articles: number }>(
        "SELECT site, count(*) AS articles FROM articles WHERE site IS NOT NULL AND site != '' GROUP BY site ORDER BY articles DESC, site LIMIT ?",
        [limit],
      )
      .map((r) => ({ site: r.site, articles: Number(r.articles) }));
  }

  /** Passages joined with their articles, by id (for hits found by vector search). */
  passageRows(ids: number[]): MatchRow[] {
    if (ids.length === 0) return [];
    const rows = this.sql.all<MatchRow>(
      `SELECT ${ROW_COLUMNS}, 0 AS score
       FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN (${ids.map(() => "?").join(",")})`,
      ids,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is MatchRow => r !== undefined);
  }

  /** In how many passages a stem occurs (0 when never). */
  docFreq(stem: string): number {
    this.freshen();
    let n = this.dfCache.get(stem);
    if (n === undefined) {
      n = this.text.docFreq(stem);
      this.dfCache.set(stem, n);
    }
    return n;
  }

  /** Read the counts of many stems at once into the cache (one round trip on PostgreSQL; SQLite reads lazily). */
  warmDocFreqs(stems: readonly string[]): void {
    if (!this.text.docFreqs) return;
    this.freshen();
    const missing = [...new Set(stems)].filter((s) => !this.dfCache.has(s));
    if (missing.length === 0) return;
    const found = this.text.docFreqs(missing);
    for (const s of missing) this.dfCache.set(s, found.get(s) ?? 0);
  }

  /** How many passages match the query. */
  countMatches(query: MatchQuery): number {
    return this.text.countMatches(query);
  }

  /** Every indexed term in at least `minDoc` passages, with its passage count (a full scan: cache the result). */
  vocabulary(minDoc: number): { term: string; doc: number }[] {
    return this.text.vocabulary(minDoc);
  }

  /** Indexed terms that start with `prefix`, most frequent first. */
  termsWithPrefix(prefix: string, limit: number): string[] {
    const next = prefix.slice(0, -1) + String.fromCodePoint((prefix.codePointAt(prefix.length - 1) ?? 0) + 1);
    return this.text.termRange(prefix, next, limit);
  }

  /** How many passages the index holds. */
  totalPassages(): number {
    this.freshen();
    // Counting a million rows takes 5 ms, after every change: the full-text index keeps the number instead.
    this.passageCount ??= this.text.passageCount();
    return this.passageCount;
  }

  /** Figures about the corpus. */
  stats(): IndexStats {
    const newest = this.sql.get<{ title: string; published_at: string | null; url: string | null }>(
      "SELECT title, published_at, url FROM articles ORDER BY coalesce(published_at, fetched_at) DESC LIMIT 1",
    );
    return {
      articles: Number(this.sql.get<{ n: number }>("SELECT count(*) AS n FROM articles")?.n ?? 0),
      passages: this.totalPassages(),
      newest: newest ? { title: newest.title, publishedAt: newest.published_at, url: newest.url } : null,
      lastIngestAt: this.getMeta("last_ingest_at"),
      version: this.version(),
    };
  }

  /** Size of the index on disk, in bytes: the SQLite file (0 in memory), or the PostgreSQL tables with their indexes. */
  sizeBytes(): number {
    if (!this.sqlite)
      return Number(
        this.sql.get<{ n: number }>(
          `SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
           WHERE s.nspname = current_schema() AND c.relkind = 'r'`,
        )?.n ?? 0,
      );
    const row = this.sql.get<{ n: number }>(
      "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
    );
    return Number(row?.n ?? 0);
  }

  /** Close the index (SQLite checkpoints its WAL; PostgreSQL's connection ends). */
  close(): void {
    this.sql.close();
  }
}

/** A passage from a joined row. */
export function rowPassage(row: MatchRow): Passage {
  return {
    id: row.id,
    articleId: row.article_id,
    ordinal: row.ordinal,
    text: row.text,
    start: row.start_offset,
    end: row.end_offset,
  };
}
