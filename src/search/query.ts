import { VerbatimError } from "../errors.js";
import type { MatchQuery } from "../index/contracts.js";
import { CHAT_PHRASES, STOP_WORDS, type SynonymMap, synonymKey } from "../text/lexicon.js";
import { fold, stem } from "../text/terms.js";

/** A content term of a question: the word, its stem, and the words or phrases that may stand for it. */
export interface QueryTerm {
  /** The folded word, or a two-word phrase from the synonym list. */
  word: string;
  /** Its stem (the folded phrase for a phrase): the key for synonyms and document frequencies. */
  stem: string;
  /** Synonyms (folded words or phrases), not including the word itself. */
  alternatives: string[];
}

/** A user's text reduced to what can be searched for. */
export interface ParsedQuery {
  text: string;
  terms: QueryTerm[];
}

/** At most this many distinct terms are searched, however long the text. */
export const MAX_QUERY_TERMS = 32;

// A number written with a decimal point or thousands separators ("7.3", "2,000") is one term: the index reads it as
// adjacent numbers ("7 3"), and "7" and "3" apart match every other number in the corpus.
const QUERY_TOKEN = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{N}]+/gu;

// "What year", "what percentage": the noun names the kind of answer wanted, which the answering sentence states as
// "1227" or "20.8%" without the word; searching for it only finds sentences that talk about years or percentages.
const KIND_NOUN =
  /\b(what|which|in what|in which)\s+(year|years|percentage|percent|proportion|date|month|day|decade|century|number|amount)\b/gi;
// Markup pasted into a question (a link copied from a page) is not what is asked about.
const MARKUP = /<[^>]{0,2000}>|https?:\/\/\S+/g;

/** The part of a question that is searched for: markup, links, chat idioms and kind-of-answer nouns removed. */
export function searchableText(text: string): string {
  return text.replace(MARKUP, " ").replace(CHAT_PHRASES, " ").replace(KIND_NOUN, "$1");
}

/**
 * Reduce a user's text to content terms: words folded like the index folds them, stop words dropped,
 * duplicates (by stem) dropped, synonyms attached. Never returns FTS syntax; see `toMatchExpression`.
 */
export function parseQuery(text: string, synonyms: SynonymMap = new Map()): ParsedQuery {
  const words = [...searchableText(text).matchAll(QUERY_TOKEN)].map((m) => fold(m[0]).replace(/[.,]/g, " "));
  if (words.length === 0) {
    throw new VerbatimError(
      "EMPTY_QUERY",
      "There is nothing to search for: ask with a few words about a topic.",
    );
  }
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  const content = words.filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\p{N}/u.test(w)));
  for (let i = 0; i < content.length && terms.length < MAX_QUERY_TERMS; i++) {
    // A two-word synonym entry ("rare earth") makes the pair one phrase term.
    const pair = i + 1 < content.length ? `${content[i]} ${content[i + 1]}` : null;
    const phrase = pair && synonyms.has(pair) ? pair : null;
    const word = phrase ?? content[i] ?? "";
    if (phrase) i++;
    const key = synonymKey(word);
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ word, stem: key, alternatives: [...(synonyms.get(key) ?? [])] });
  }
  if (terms.length === 0) {
    throw new VerbatimError(
      "EMPTY_QUERY",
      "That question has only common words in it: name a person, place, organisation or topic.",
    );
  }
  return { text, terms };
}

/** What the index is asked to match: each term as its word or any of its synonyms, every term (`and`) or any. */
export function matchQuery(
  query: ParsedQuery,
  mode: "and" | "or",
  filters: Pick<MatchQuery, "window" | "source"> = {},
): MatchQuery {
  return {
    terms: query.terms.map((t) => [t.word, ...t.alternatives]),
    mode,
    ...(filters.window ? { window: filters.window } : {}),
    ...(filters.source ? { source: filters.source } : {}),
  };
}

/** `site:example.com` typed in a question: the source to keep to, and the question without it. */
export function takeSiteFilter(text: string): { source: string | null; rest: string } {
  const m = /(?:^|\s)site:(\S+)/i.exec(text);
  if (!m?.[1]) return { source: null, rest: text };
  const source = m[1]
    .replace(/^https?:\/\//i, "")
    .replace(/\/.*$/, "")
    .replace(/[?.!,;]+$/, "");
  return { source: source || null, rest: text.replace(m[0], " ").replace(/\s+/g, " ").trim() };
}

/** What counts as a match for a term: a list of options, each a list of stems that must all be present. */
export function termOptions(term: QueryTerm): string[][] {
  return [term.word, ...term.alternatives].map((w) => w.split(" ").map(stem));
}
