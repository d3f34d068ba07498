import type { MatchRow, PassageSearch } from "../index/contracts.js";
import { rowMeta, rowPassage } from "../index/store.js";
import type { SynonymMap } from "../text/lexicon.js";
import { contentPairs } from "../text/pairs.js";
import { stem, stemSet } from "../text/terms.js";
import type { Hit } from "../types.js";
import { matchQuery, type ParsedQuery, parseQuery, type QueryTerm, termOptions } from "./query.js";
import { type RowWords, rowReader } from "./row-words.js";
import { type Correction, correctSpelling } from "./spelling.js";
import { termDocFreq, termWeights } from "./weights.js";

/** How the terms of a query are combined. `auto`: all terms, joined by passages with any term when too few have all. */
export type SearchMode = "auto" | "and" | "or";

/** Options for `search`. */
export interface SearchOptions {
  /** How many passages at most (default 10). */
  limit?: number;
  mode?: SearchMode;
  synonyms?: SynonymMap;
  /** Only passages of articles dated in this window (YYYY-MM-DD, `[from, to)`). */
  window?: { from: string; to: string };
  /** Only passages of articles from this source (a site name or a web host). */
  source?: string;
}

/** The result of a search: the parsed query (for answer composition) and the hits, best first. */
export interface SearchResult {
  query: ParsedQuery;
  hits: Hit[];
  /** Misspelt words searched for as the index's closest words instead. */
  corrections?: Correction[];
}

/**
 * A word the corpus never contains may still share its root with words it does ("deep" and "deepen"):
 * such terms also match the indexed words that extend their stem.
 */
export function expandUnknownTerms(store: PassageSearch, query: ParsedQuery): ParsedQuery {
  const terms = query.terms.map((term) => {
    if (term.word.includes(" ") || term.stem.length < 4 || /^\p{N}+$/u.test(term.stem)) return term;
    if (store.docFreq(term.stem) > 0 || term.alternatives.some((a) => store.docFreq(stem(a)) > 0))
      return term;
    const related = store.termsWithPrefix(term.stem, 3).filter((t) => t.length <= term.stem.length + 4);
    return related.length > 0 ? { ...term, alternatives: [...term.alternatives, ...related] } : term;
  });
  return { ...query, terms };
}

/** A term in more passages than this share of the corpus, and than `COMMON_TERM_MIN` passages, is too common to scan. */
export const COMMON_TERM_SHARE = 0.05;
/** Scanning a few thousand rows is cheap: small corpora keep every term, and so their ranking. */
export const COMMON_TERM_MIN = 5000;

/** Terms an any-term search keeps when every term of the question is common. */
export const RAREST_KEPT = 2;

/**
 * The terms an any-term (OR) search scans: very common terms add little to BM25 but cost a scan of most of the
 * index, so they are left out when rarer terms remain; when every term is common, the two rarest are kept, so a
 * question of common words never scores every passage that holds any of them. All-term (AND) searches keep every
 * term.
 */
export function orTerms(store: PassageSearch, query: ParsedQuery): ParsedQuery {
  const total = Math.max(1, store.totalPassages());
  const counted = query.terms.map((t) => ({ t, df: termDocFreq(t, (s) => store.docFreq(s)) }));
  const rare = counted.filter(({ df }) => df <= COMMON_TERM_MIN || df / total <= COMMON_TERM_SHARE);
  if (rare.length > 0) return { ...query, terms: rare.map(({ t }) => t) };
  const rarest = new Set(
    [...counted]
      .sort((a, b) => a.df - b.df)
      .slice(0, RAREST_KEPT)
      .map(({ t }) => t),
  );
  return { ...query, terms: query.terms.filter((t) => rarest.has(t)) };
}

/** Query terms a text covers (a term counts when any of its options has all its stems present). */
export function matchedTerms(query: ParsedQuery, stems: Set<string>): string[] {
  let options = optionsOf.get(query.terms);
  if (!options) {
    options = query.terms.map((t) => ({ stem: t.stem, options: termOptions(t) }));
    optionsOf.set(query.terms, options);
  }
  const out: string[] = [];
  for (const t of options) if (t.options.some((opt) => opt.every((s) => stems.has(s)))) out.push(t.stem);
  return out;
}

/** Each query's terms with their options, stemmed once: every sentence of every candidate is matched against them. */
const optionsOf = new WeakMap<QueryTerm[], { stem: string; options: string[][] }[]>();

/** Rows fetched per search before they are re-ordered by how much of the question one sentence holds. */
const RERANK_DEPTH = 50;

/** Share of the best BM25 score a passage gains when one of its sentences holds the whole question. */
const PROXIMITY = 0.3;

/**
 * Share of the best BM25 score a passage gains when it repeats every adjacent pair of the question's content words
 * ("mast cells", "gastric banding"): BM25 sees words, not their order. 0.1: SciFact nDCG@10 0.686 → 0.690, news
 * answer-in-quotes@1 / @3 0.447 / 0.575 → 0.449 / 0.579, SQuAD 0.779 / 0.870 → 0.780 / 0.870 (0.2 lost on news).
 */
const WORD_ORDER = 0.1;

/** The largest share of the question's term weight that one sentence of a row holds. */
function sentenceCoverage(
  query: ParsedQuery,
  words: RowWords,
  weights: Map<string, number>,
  total: number,
): number {
  let best = 0;
  for (const sentence of words.sentences) {
    let sum = 0;
    for (const t of matchedTerms(query, sentence)) sum += weights.get(t) ?? 0;
    if (sum > best) best = sum;
  }
  return best / total;
}

function toHit(query: ParsedQuery, row: MatchRow, words: RowWords): Hit {
  return {
    passage: rowPassage(row),
    article: rowMeta(row),
    score: row.score,
    terms: matchedTerms(query, words.all),
  };
}

/**
 * Search the index for passages. User text is parsed into terms and only ever reaches FTS5 as quoted strings,
 * so FTS syntax in a question is searched for as words, never interpreted.
 */
export function search(
  store: PassageSearch,
  input: string | ParsedQuery,
  options: SearchOptions = {},
): SearchResult {
  const parsed = typeof input === "string" ? parseQuery(input, options.synonyms) : input;
  // Every count this search will ask for, read at once where each read is a round trip (PostgreSQL).
  store.warmDocFreqs?.([...parsed.terms.flatMap((t) => termOptions(t).flat()), ...stemSet(parsed.text)]);
  const { query, corrections } = correctSpelling(store, expandUnknownTerms(store, parsed));
  const limit = Math.max(1, Math.min(options.limit ?? 10, 1000));
  const mode = options.mode ?? "auto";
  // More rows than asked for, so that the sentence rerank can lift a passage from just below the cut; with one term
  // every matching sentence holds all of the question, so there is nothing to re-order.
  const rerank = query.terms.length > 1;
  const fetch = rerank ? Math.max(limit, RERANK_DEPTH) : limit;
  const anyTerm = matchQuery(orTerms(store, query), "or", options);
  const readRow = rowReader(query, contentPairs(query.text));
  const read = new Map<number, RowWords>();
  const wordsOf = (row: MatchRow) => {
    let words = read.get(row.id);
    if (!words) {
      words = readRow(row);
      read.set(row.id, words);
    }
    return words;
  };
  const ranked = (found: MatchRow[]) => {
    if (!rerank) return found;
    const weights = termWeights(query, {
      docFreq: (s) => store.docFreq(s),
      total: () => store.totalPassages(),
    });
    const totalWeight = [...weights.values()].reduce((a, b) => a + b, 0) || 1;
    const top = Math.max(1e-9, ...found.map((r) => r.score));
    // Word order is credited to the article (its best passage's share, on every passage of it found): it tells which
    // article is about "mast cells", while which of its passages answers is for the words to say.
    const ordered = new Map<string, number>();
    for (const row of found) {
      const share = wordsOf(row).pairs;
      ordered.set(row.article_id, Math.max(ordered.get(row.article_id) ?? 0, share));
    }
    return found
      .map((row) => ({
        ...row,
        score:
          row.score +
          PROXIMITY * top * sentenceCoverage(query, wordsOf(row), weights, totalWeight) +
          WORD_ORDER * top * (ordered.get(row.article_id) ?? 0),
      }))
      .sort((a, b) => b.score - a.score);
  };
  let found: MatchRow[] = mode === "or" ? [] : store.match(matchQuery(query, "and", options), fetch);
  if (mode === "or" || (mode === "auto" && found.length < limit && query.terms.length > 1)) {
    // Too few passages hold every term: passages with any of them join the list (BM25 scores a row the same in
    // both searches), and all are re-ordered together.
    const seen = new Set(found.map((r) => r.id));
    found = [...found, ...store.match(anyTerm, fetch).filter((row) => !seen.has(row.id))];
  }
  const rows = ranked(found).slice(0, limit);
  return {
    query,
    hits: diversify(rows, SAME_ARTICLE_DECAY).map((row) => toHit(query, row, wordsOf(row))),
    corrections,
  };
}

/** Each further passage of an article already listed counts this much less than the one before it. */
export const SAME_ARTICLE_DECAY = 0.6;

/**
 * Re-order rows so that one long article matching everywhere cannot fill the candidates: an article's second
 * passage counts `decay` times its score, its third `decay²` times, and so on. Nothing is dropped, and a strong
 * second passage still beats another article's weak first one.
 */
export function diversify<T extends { article_id: string; score: number }>(rows: T[], decay: number): T[] {
  const seen = new Map<string, number>();
  return rows
    .map((row, i) => {
      const n = seen.get(row.article_id) ?? 0;
      seen.set(row.article_id, n + 1);
      return { row, i, key: row.score * decay ** n };
    })
    .sort((a, b) => b.key - a.key || a.i - b.i)
    .map((x) => x.row);
}
