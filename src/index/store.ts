import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import { useStemming } from "../text/terms.js";
import type { Article, ArticleMeta, Passage } from "../types.js";
import { chunkArticle } from "./chunk.js";
import type {
  ArticleStore,
  IndexStats,
  MatchQuery,
  MatchRow,
  PassageSearch,
  UpsertOutcome,
} from "./contracts.js";
import { checkDatabase, indexLanguage, indexProblem, openDatabase } from "./database.js";
import { sourceMatches } from "./filters.js";
import { toMatchExpression } from "./fts-expression.js";

export { SCHEMA_VERSION } from "./database.js";

import { EmbeddingStore } from "./embedding-store.js";
import { createFeedTable, type FeedTable } from "./feed-table.js";
import { SourceStore } from "./source-store.js";

/** BM25 weight of the title column against the body's 1.0: at 2.5 a passage matching only through its article's title outranked the paragraph that answers (news passage@1 0.425 at 1, 0.445 at 0.5, docs/quality.md). */
export const TITLE_WEIGHT = 0.5;

/** A row of the FTS search joined with its passage and article. */
export type { IndexStats, MatchRow, UpsertOutcome } from "./contracts.js";

/** Hash of everything about an article that its index rows depend on. */
export function articleHash(article: Article): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        article.url,
        article.title,
        article.site,
        article.publishedAt,
        article.author,
        article.text,
      ]),
    )
    .digest("hex");
}

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

/**
 * The SQLite index: articles, their passages with offsets, and an FTS5 index over them.
 * One instance per process; prepared statements are made once and reused.
 */
/** Best-scored rows a date- or source-limited search looks among first, before checking every matching row. */
const PREFILTER_ROWS = 2000;
/** How stale cached term counts may be after another process's ingest, at most. */
const FRESHEN_MS = 250;

export class IndexStore implements ArticleStore, PassageSearch {
  private readonly db: Database.Database;
  readonly path: string;
  /** The language the index was built for (ISO 639-1): English is stemmed, others are not. */
  readonly language: string;
  /** Passage vectors by model and content hash. */
  readonly embeddings: EmbeddingStore;
  /** Followed feeds and the items taken from them. */
  readonly feeds: FeedTable;
  /** Which source files produced which articles, for incremental ingest. */
  readonly sources: SourceStore;
  private readonly stmts;
  private passageCount: number | null = null;
  /** The last committed sequence number while an asynchronous transaction is open on this connection. */
  private seqBeforeWrite: number | null = null;
  private readonly filtered = new Map<string, Database.Statement>();
  private readonly dfCache = new Map<string, number>();
  /** SQLite's `data_version` when the caches were last checked, and when that was (ms since the epoch). */
  private seenDataVersion: number | null = null;
  private checkedAt = 0;

  /**
   * Open an index file (created when missing). `language` (ISO 639-1, default English) is fixed when the index is
   * created; opening an index built for another language fails with what to do.
   */
  constructor(file: string, options: { readonly?: boolean; language?: string } = {}) {
    this.path = file;
    this.db = openDatabase(file, options);
    this.language = indexLanguage(this.db);
    // Questions and passages are stemmed as the index's tokenizer stems: Porter for English, not at all otherwise.
    useStemming(this.language === "en");
    // The source rule is the one `retrieve` applies to vector neighbours, so both paths keep the same articles.
    this.db.function("source_matches", { deterministic: true }, (source, site, url) =>
      sourceMatches(String(source), site === null ? null : String(site), url === null ? null : String(url))
        ? 1
        : 0,
    );
    this.stmts = this.prepare();
    this.embeddings = new EmbeddingStore(this.db);
    this.feeds = createFeedTable(this.db);
    this.sources = new SourceStore(this.db);
  }

  private prepare() {
    const db = this.db;
    return {
      getHash: db.prepare<[string], { hash: string; first_seen_at: string; seq: number | null }>(
        "SELECT hash, first_seen_at, seq FROM articles WHERE id = ?",
      ),
      lastSeq: db.prepare<[], { seq: number | null }>("SELECT max(seq) AS seq FROM articles"),
      seqAt: db.prepare<[string], { seq: number | null }>(
        "SELECT max(seq) AS seq FROM articles WHERE first_seen_at <= ?",
      ),
      seqBetween: db.prepare<[number, number, number], { id: string }>(
        "SELECT id FROM articles WHERE seq > ? AND seq <= ? ORDER BY coalesce(published_at, first_seen_at) DESC, id LIMIT ?",
      ),
      seenBetween: db.prepare<[string, string, number], { id: string }>(
        "SELECT id FROM articles WHERE first_seen_at > ? AND first_seen_at <= ? ORDER BY coalesce(published_at, first_seen_at) DESC, id LIMIT ?",
      ),
      insertArticle: db.prepare(
        `INSERT INTO articles (id, url, title, site, published_at, author, text, fetched_at, source, hash, indexed_at, first_seen_at, seq)
         VALUES (@id, @url, @title, @site, @publishedAt, @author, @text, @fetchedAt, @source, @hash, @indexedAt, @firstSeenAt,
                 coalesce(@seq, (SELECT coalesce(max(seq), 0) + 1 FROM articles)))`,
      ),
      passageIds: db.prepare<[string], { id: number }>("SELECT id FROM passages WHERE article_id = ?"),
      deleteFts: db.prepare<[number]>("DELETE FROM passage_fts WHERE rowid = ?"),
      deleteArticle: db.prepare<[string]>("DELETE FROM articles WHERE id = ?"),
      insertPassage: db.prepare<[string, number, number, number, string, string]>(
        "INSERT INTO passages (article_id, ordinal, start_offset, end_offset, text, sep) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      articleParts: db.prepare<[string], { text: string; sep: string }>(
        "SELECT text, sep FROM passages WHERE article_id = ? ORDER BY ordinal",
      ),
      insertFts: db.prepare<[number | bigint, string, string]>(
        "INSERT INTO passage_fts (rowid, title, body) VALUES (?, ?, ?)",
      ),
      getArticle: db.prepare<[string], Record<string, string | null>>("SELECT * FROM articles WHERE id = ?"),
      passagesOf: db.prepare<[string], MatchRow>(
        `SELECT p.id, p.article_id, p.ordinal, p.start_offset, p.end_offset, p.text, a.url, a.title, a.site,
                a.published_at, a.author, a.source, 0 AS score
         FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.article_id = ? ORDER BY p.ordinal`,
      ),
      match: db.prepare<[string, number], MatchRow>(
        `SELECT p.id, p.article_id, p.ordinal, p.start_offset, p.end_offset, p.text, a.url, a.title, a.site,
                a.published_at, a.author, a.source, -f.score AS score
         FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
               WHERE passage_fts MATCH ? ORDER BY score LIMIT ?) f
         JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
         ORDER BY f.score`,
      ),
      docFreq: db.prepare<[string], { doc: number }>("SELECT doc FROM passage_vocab WHERE term = ?"),
      anyDated: db.prepare<[string, string], { one: number }>(
        "SELECT 1 AS one FROM articles WHERE published_at >= ? AND published_at < ? LIMIT 1",
      ),
      vocabRange: db.prepare<[string, string, number], { term: string; doc: number }>(
        "SELECT term, doc FROM passage_vocab WHERE term >= ? AND term < ? ORDER BY doc DESC LIMIT ?",
      ),
      countMatches: db.prepare<[string], { n: number }>(
        "SELECT count(*) AS n FROM passage_fts WHERE passage_fts MATCH ?",
      ),
      vocabulary: db.prepare<[number], { term: string; doc: number }>(
        "SELECT term, doc FROM passage_vocab WHERE doc >= ?",
      ),
      countPassages: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM passages"),
      dataVersion: db.prepare<[], { data_version: number }>("PRAGMA data_version"),
      countArticles: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM articles"),
      newest: db.prepare<[], { title: string; published_at: string | null; url: string | null }>(
        "SELECT title, published_at, url FROM articles ORDER BY coalesce(published_at, fetched_at) DESC LIMIT 1",
      ),
      getMeta: db.prepare<[string], { value: string }>("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare<[string, string]>(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
    };
  }

  /** Run `fn` in one transaction: all of it lands or none of it. */
  transaction<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (error) {
      throw indexProblem(error, this.path) ?? error;
    }
  }

  /**
   * Run async `fn` in one write transaction (BEGIN IMMEDIATE): for an ingest that reads files as it writes, so memory
   * stays bounded by one file. Only this process writes; WAL readers see the previous index until COMMIT.
   */
  async transactionAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec("BEGIN IMMEDIATE");
    this.seqBeforeWrite = this.stmts.lastSeq.get()?.seq ?? 0;
    try {
      const result = await fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw indexProblem(error, this.path) ?? error;
    } finally {
      this.seqBeforeWrite = null;
    }
  }

  /** Check every page of the index (start-up, `stats`); throws what is wrong, in words, and changes nothing. */
  check(): void {
    checkDatabase(this.db, this.path);
  }

  /** Fold the write-ahead log into the database file (after a bulk load, before measuring its size). */
  checkpoint(): void {
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  /** Index an article (chunked into passages); an unchanged article is left as it is. */
  upsertArticle(article: Article, now = new Date().toISOString()): UpsertOutcome {
    const hash = articleHash(article);
    const existing = this.stmts.getHash.get(article.id);
    if (existing?.hash === hash) return "unchanged";
    if (existing) this.removeArticle(article.id);
    const passages = chunkArticle(article.id, article.text);
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
    // it twice. A new article's number is the next one inside the writing transaction: SQLite has one writer at a
    // time, so numbers are committed in order and a reader never sees a gap that fills later.
    this.stmts.insertArticle.run({
      ...article,
      text: rebuilt === article.text ? "" : article.text,
      hash,
      indexedAt: now,
      firstSeenAt: existing?.first_seen_at ?? now,
      seq: existing?.seq ?? null,
    });
    passages.forEach((p, i) => {
      const { lastInsertRowid } = this.stmts.insertPassage.run(
        article.id,
        p.ordinal,
        p.start,
        p.end,
        p.text,
        seps[i] ?? "",
      );
      this.stmts.insertFts.run(lastInsertRowid, article.title, p.text);
    });
    this.forgetFrequencies();
    return existing ? "updated" : "added";
  }

  /** Remove an article, its passages and their FTS rows. */
  removeArticle(id: string): boolean {
    for (const { id: pid } of this.stmts.passageIds.all(id)) this.stmts.deleteFts.run(pid);
    const removed = this.stmts.deleteArticle.run(id).changes > 0;
    if (removed) this.forgetFrequencies();
    return removed;
  }

  /**
   * Drop the cached counts when another connection has committed since they were read: a worker's or another
   * shard's ingest, which this connection's own writes never report. SQLite's `data_version` changes exactly then;
   * it is read at most every `FRESHEN_MS`, so a question's many lookups cost one check.
   */
  private freshen(): void {
    const now = Date.now();
    if (now - this.checkedAt < FRESHEN_MS) return;
    this.checkedAt = now;
    const version = this.stmts.dataVersion.get()?.data_version ?? 0;
    if (this.seenDataVersion !== null && version !== this.seenDataVersion) this.forgetFrequencies();
    this.seenDataVersion = version;
  }

  /** Forget cached term frequencies and the passage count: after a write, another process's, or for a cold bench. */
  forgetFrequencies(): void {
    this.passageCount = null;
    this.dfCache.clear();
  }

  /** Mark the end of an ingest that changed something: bumps the version caches key on. */
  bumpVersion(now = new Date().toISOString()): number {
    const version = this.version() + 1;
    this.stmts.setMeta.run("version", String(version));
    this.stmts.setMeta.run("last_ingest_at", now);
    return version;
  }

  /** Record an ingest that changed nothing. */
  touchIngest(now = new Date().toISOString()): void {
    this.stmts.setMeta.run("last_ingest_at", now);
  }

  /** The index version: it changes whenever the corpus does. */
  version(): number {
    return Number(this.stmts.getMeta.get("version")?.value ?? 0);
  }

  /** A stored article, whole. */
  getArticle(id: string): Article | null {
    const row = this.stmts.getArticle.get(id);
    if (!row) return null;
    return {
      id: row.id ?? id,
      url: row.url ?? null,
      title: row.title ?? "",
      site: row.site ?? null,
      publishedAt: row.published_at ?? null,
      author: row.author ?? null,
      text:
        row.text ||
        this.stmts.articleParts
          .all(id)
          .map((p) => p.sep + p.text)
          .join(""),
      fetchedAt: row.fetched_at ?? "",
      source: row.source ?? "",
    };
  }

  /**
   * The sequence number of the newest committed article (0 when none). While this connection's own asynchronous
   * ingest is open, its uncommitted articles are not counted: a digest must never post what may yet roll back.
   */
  committedSeq(): number {
    return this.seqBeforeWrite ?? this.stmts.lastSeq.get()?.seq ?? 0;
  }

  /** The sequence number of the newest article first seen at or before `time` (0 when none). */
  seqAt(time: string): number {
    return this.stmts.seqAt.get(time)?.seq ?? 0;
  }

  /** Ids of articles numbered in `(after, until]` (new since a digest), newest first. */
  articlesInSeq(after: number, until: number, limit = 10_000): string[] {
    return this.stmts.seqBetween.all(after, until, limit).map((r) => r.id);
  }

  /** Ids of articles first seen in `(after, until]`, newest first. */
  articlesFirstSeen(after: string, until: string, limit = 10_000): string[] {
    return this.stmts.seenBetween.all(after, until, limit).map((r) => r.id);
  }

  /** An article's passages in order. */
  passagesOf(articleId: string): Passage[] {
    return this.stmts.passagesOf.all(articleId).map(rowPassage);
  }

  /** Rows matching the query, best first (BM25 over FTS5; the query's words only ever reach MATCH as literals). */
  match(query: MatchQuery, limit: number): MatchRow[] {
    const expression = toMatchExpression(query);
    if (!query.window && !query.source) return this.stmts.match.all(expression, limit);
    // A window no article is dated in holds nothing: no need to score every matching row to find that out.
    if (query.window && !this.stmts.anyDated.get(query.window.from, query.window.to)) return [];
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
      const columns = `p.id, p.article_id, p.ordinal, p.start_offset, p.end_offset, p.text, a.url, a.title, a.site,
                a.published_at, a.author, a.source`;
      statement = this.db.prepare(
        prefilter
          ? `SELECT ${columns}, -f.score AS score
             FROM (SELECT rowid AS pid, bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score FROM passage_fts
                   WHERE passage_fts MATCH ? ORDER BY score LIMIT ?) f
             JOIN passages p ON p.id = f.pid JOIN articles a ON a.id = p.article_id
             WHERE ${conditions} ORDER BY f.score LIMIT ?`
          : `SELECT ${columns}, -bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) AS score
             FROM passage_fts JOIN passages p ON p.id = passage_fts.rowid JOIN articles a ON a.id = p.article_id
             WHERE passage_fts MATCH ? AND ${conditions}
             ORDER BY bm25(passage_fts, ${TITLE_WEIGHT}, 1.0) LIMIT ?`,
      );
      this.filtered.set(key, statement);
    }
    return statement;
  }

  /** The sites articles come from, most articles first (for choosing a source). */
  sites(limit = 100): { site: string; articles: number }[] {
    return this.db
      .prepare<[number], { site: string; articles: number }>(
        "SELECT site, count(*) AS articles FROM articles WHERE site IS NOT NULL AND site != '' GROUP BY site ORDER BY articles DESC, site LIMIT ?",
      )
      .all(limit);
  }

  /** Passages joined with their articles, by id (for hits found by vector search). */
  passageRows(ids: number[]): MatchRow[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT p.id, p.article_id, p.ordinal, p.start_offset, p.end_offset, p.text, a.url, a.title, a.site,
                a.published_at, a.author, a.source, 0 AS score
         FROM passages p JOIN articles a ON a.id = p.article_id WHERE p.id IN (${ids.map(() => "?").join(",")})`,
      )
      .all(...ids) as MatchRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is MatchRow => r !== undefined);
  }

  /** In how many passages a stem occurs (0 when never). */
  docFreq(stem: string): number {
    this.freshen();
    let n = this.dfCache.get(stem);
    if (n === undefined) {
      n = this.stmts.docFreq.get(stem)?.doc ?? 0;
      this.dfCache.set(stem, n);
    }
    return n;
  }

  /** How many passages match the query. */
  countMatches(query: MatchQuery): number {
    return this.stmts.countMatches.get(toMatchExpression(query))?.n ?? 0;
  }

  /** Every indexed term in at least `minDoc` passages, with its passage count (a full scan: cache the result). */
  vocabulary(minDoc: number): { term: string; doc: number }[] {
    return this.stmts.vocabulary.all(minDoc);
  }

  /** Indexed terms that start with `prefix`, most frequent first. */
  termsWithPrefix(prefix: string, limit: number): string[] {
    const next = prefix.slice(0, -1) + String.fromCodePoint((prefix.codePointAt(prefix.length - 1) ?? 0) + 1);
    return this.stmts.vocabRange.all(prefix, next, limit).map((r) => r.term);
  }

  /** How many passages the index holds. */
  totalPassages(): number {
    this.freshen();
    this.passageCount ??= this.stmts.countPassages.get()?.n ?? 0;
    return this.passageCount;
  }

  /** Figures about the corpus. */
  stats(): IndexStats {
    const newest = this.stmts.newest.get();
    return {
      articles: this.stmts.countArticles.get()?.n ?? 0,
      passages: this.totalPassages(),
      newest: newest ? { title: newest.title, publishedAt: newest.published_at, url: newest.url } : null,
      lastIngestAt: this.stmts.getMeta.get("last_ingest_at")?.value ?? null,
      version: this.version(),
    };
  }

  /** Size of the index file on disk, in bytes (0 in memory). */
  sizeBytes(): number {
    const row = this.db
      .prepare("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()")
      .get() as { n: number };
    return row.n;
  }

  /** Close the database (the WAL is checkpointed). */
  close(): void {
    if (this.db.open) this.db.close();
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
