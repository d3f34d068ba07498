import type { Article, Passage } from "../types.js";

/** Figures about the corpus, for /help, /corpus stats and the CLI. */
export interface IndexStats {
  articles: number;
  passages: number;
  newest: { title: string; publishedAt: string | null; url: string | null } | null;
  lastIngestAt: string | null;
  version: number;
}

/**
 * The index as its callers see it, split by what each needs. `IndexStore` (SQLite + FTS5) is the first
 * implementation; a second backend (PostgreSQL, the scale-out issue) implements the same interfaces, so search,
 * answers, digests and ingest do not change. Queries cross this boundary as words, never as a backend's syntax.
 */

/** A passage with its article's fields, as full-text search returns it. */
export interface MatchRow {
  id: number;
  article_id: string;
  ordinal: number;
  start_offset: number;
  end_offset: number;
  text: string;
  url: string | null;
  title: string;
  site: string | null;
  published_at: string | null;
  author: string | null;
  source: string;
  /** BM25, higher is better. */
  score: number;
}

/**
 * What to match: each term is a list of options (a word, or a phrase of several, as the user or the synonym list
 * wrote them), any one of which counts; `and` wants every term, `or` any. Backends tokenize and stem themselves.
 */
export interface MatchQuery {
  terms: string[][];
  mode: "and" | "or";
  /** Only passages of articles published in `[from, to)`, as YYYY-MM-DD (undated articles are outside). */
  window?: { from: string; to: string };
  /** Only passages of articles from this source: a site name ("Example News") or a web host ("example.com"). */
  source?: string;
}

/** Full-text search over passages (BM25) and the statistics the answer pipeline weighs terms with. */
export interface PassageSearch {
  /** Passages matching the query, best first, at most `limit`. */
  match(query: MatchQuery, limit: number): MatchRow[];
  /** How many passages match the query. */
  countMatches(query: MatchQuery): number;
  /** Passages joined with their articles, by id, in the order given (for hits found by vector search). */
  passageRows(ids: number[]): MatchRow[];
  /** In how many passages a stem occurs (0 when never). */
  docFreq(stem: string): number;
  /** Read many stems' counts in one go, ahead of `docFreq` (where each read is a round trip to a server). */
  warmDocFreqs?(stems: readonly string[]): void;
  /** Every indexed stem in at least `minDoc` passages, with its passage count (a full scan: cache the result). */
  vocabulary(minDoc: number): { term: string; doc: number }[];
  /** Indexed stems that start with `prefix`, most frequent first. */
  termsWithPrefix(prefix: string, limit: number): string[];
  /** How many passages the index holds. */
  totalPassages(): number;
  /** The sites articles come from, most articles first. */
  sites(limit?: number): { site: string; articles: number }[];
  /** Changes whenever the corpus does (caches key on it). */
  version(): number;
}

/** What an upsert did to an article. */
export type UpsertOutcome = "added" | "updated" | "unchanged";

/** Articles and their passages: what ingest writes, and what answers and digests read back. */
export interface ArticleStore {
  /** Index an article (chunked into passages); an unchanged article is left as it is. */
  upsertArticle(article: Article, now?: string): UpsertOutcome;
  /** Remove an article and its passages. */
  removeArticle(id: string): boolean;
  /** A stored article, whole, or null. */
  getArticle(id: string): Article | null;
  /** An article's passages in order. */
  passagesOf(articleId: string): Passage[];
  /** Run `fn` in one transaction: all of it lands, or none. */
  transaction<T>(fn: () => T): T;
  /** The same for work that awaits (reading files between writes). */
  transactionAsync<T>(fn: () => Promise<T>): Promise<T>;
  /** Mark the end of an ingest that changed something; returns the new version. */
  bumpVersion(now?: string): number;
  /** Record an ingest that changed nothing. */
  touchIngest(now?: string): void;
  version(): number;
  /** The sequence number of the newest committed article (articles are numbered in commit order). */
  committedSeq(): number;
  /** The sequence number of the newest article first seen at or before `time`. */
  seqAt(time: string): number;
  /** Ids of articles numbered in `(after, until]`, newest first. */
  articlesInSeq(after: number, until: number, limit?: number): string[];
  /** Ids of articles first seen in `(after, until]`, newest first. */
  articlesFirstSeen(after: string, until: string, limit?: number): string[];
  totalPassages(): number;
  docFreq(stem: string): number;
  stats(): IndexStats;
}

/** The index for reading and writing articles and searching them: what answers and digests are built on. */
export type CorpusIndex = ArticleStore & PassageSearch;
