/** The contract between the pipeline's stages (see docs/architecture.md). */

/** Article metadata a hit carries, so that answers can cite without another lookup. */
export interface ArticleMeta {
  /** Stable identity: hash of the canonical URL, or of the file path when there is no URL, or the id a JSON record gives. */
  id: string;
  url: string | null;
  title: string;
  site: string | null;
  /** ISO 8601 date or date-time, as given by the source. */
  publishedAt: string | null;
  author: string | null;
  /** Where it came from (file path or URL), for messages and incremental ingest. */
  source: string;
}

/** A cleaned article: the unit that sources produce and the index stores. */
export interface Article extends ArticleMeta {
  /** Clean body: boilerplate removed, paragraphs separated by a blank line. */
  text: string;
  /** ISO 8601 time the article was read. */
  fetchedAt: string;
}

/** A span of an article's text, the unit of retrieval. */
export interface Passage {
  /** Row id in the index; -1 before the passage is stored. */
  id: number;
  articleId: string;
  ordinal: number;
  text: string;
  /** Character offsets into Article.text: text === article.text.slice(start, end). */
  start: number;
  end: number;
}

/** A passage found by a search, with its score (higher is better) and the query terms it matched. */
export interface Hit {
  passage: Passage;
  article: ArticleMeta;
  score: number;
  /** Stemmed query terms present in the passage or the article's title. */
  terms: string[];
  /** Cosine similarity to the question, when the hit came through vector search. */
  similarity?: number;
}

/** A verbatim span of a stored article, with a link that opens the article at it. */
export interface Quote {
  text: string;
  start: number;
  end: number;
  passage: Passage;
  article: ArticleMeta;
  /** Article URL with a text fragment, or null when the article has no URL. */
  link: string | null;
  /** True when the quote begins mid-sentence (renderers show a leading ellipsis). */
  cutStart: boolean;
  /** True when the quote ends mid-sentence. */
  cutEnd: boolean;
}

export type AnswerStatus = "answered" | "nothing-relevant" | "degraded";

/** What every door (CLI, Discord, digest) renders. */
export interface Answer {
  question: string;
  status: AnswerStatus;
  quotes: Quote[];
  /** Written answer with [n] markers; only from the LLM composer, only with verified quotes. */
  prose?: string;
  /** Why the answer is degraded or why nothing was found, in words a user can read. */
  reason?: string;
  /** What was searched for when it differs from what was typed (misspellings corrected): "invented … motor". */
  searchedFor?: string;
  /** What the answer's dates are, when the question named a time: "From articles dated last week (…)." */
  note?: string;
}
