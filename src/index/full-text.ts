import type { MatchQuery, MatchRow } from "./contracts.js";

/** BM25 weight of the title column against the body's 1.0: at 2.5 a passage matching only through its article's title outranked the paragraph that answers (news passage@1 0.425 at 1, 0.445 at 0.5, docs/quality.md). */
export const TITLE_WEIGHT = 0.5;

/**
 * The part of an index that differs per database: full-text search over passages (BM25, FTS5's formula on both)
 * and the term counts behind it. Articles, passages and everything else are plain SQL shared by both backends.
 */
export interface FullTextIndex {
  /** Index an article's passages (called in the transaction that inserted them). */
  add(title: string, passages: readonly { id: number; text: string }[]): void;
  /** Write what `add` may hold back, before the transaction that added it commits. */
  flush(): void;
  /** Write what is held back and bring the term counts up to date: the outermost transaction is about to commit. */
  settle(): void;
  /** Drop what `add` holds back: the transaction that added it rolled back. */
  discard(): void;
  /** Forget passages (called before their rows are deleted). */
  remove(passageIds: readonly number[]): void;
  /** Passages matching the query (its window and source filters included), best first, at most `limit`. */
  match(query: MatchQuery, limit: number): MatchRow[];
  /** How many passages match the query's words (filters aside). */
  countMatches(query: MatchQuery): number;
  /** How many passages are indexed, kept by writes rather than counted (callers cache it). */
  passageCount(): number;
  /** In how many passages a stem occurs, read from the database (callers cache it). */
  docFreq(stem: string): number;
  /** The same for many stems in one read, where that saves round trips (absent stems are left out). */
  docFreqs?(stems: readonly string[]): Map<string, number>;
  /** Every indexed stem in at least `minDoc` passages. */
  vocabulary(minDoc: number): { term: string; doc: number }[];
  /** Indexed stems in `[from, to)`, most frequent first. */
  termRange(from: string, to: string, limit: number): string[];
  /** A mark that changes whenever any connection commits a change (cached counts are dropped when it does). */
  changeMark(): string;
  /** Drop what is cached about the corpus (after a write, or another process's). */
  forget(): void;
}

/** The columns of a search row, from passages `p` joined with articles `a`. */
export const ROW_COLUMNS = `p.id, p.article_id, p.ordinal, p.start_offset, p.end_offset, p.text, a.url, a.title, a.site,
                a.published_at, a.author, a.source`;
