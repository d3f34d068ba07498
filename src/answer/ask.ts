import { VerbatimError } from "../errors.js";
import type { SynonymMap } from "../index/lexicon.js";
import { type SearchMode, type SearchResult, search } from "../index/search.js";
import type { IndexStore } from "../index/store.js";
import type { Answer, Hit } from "../types.js";
import { composeExtractive, type ExtractiveOptions } from "./extractive.js";

/** Longest question the pipeline accepts; longer text is cut (doors may refuse earlier, politely). */
export const MAX_QUESTION_CHARS = 10_000;

/** What the answer pipeline needs from its caller. */
export interface AskDeps {
  store: IndexStore;
  synonyms?: SynonymMap;
}

/** Options for `ask`. */
export interface AskOptions extends Omit<ExtractiveOptions, "articleText"> {
  mode?: SearchMode;
  /** Passages to retrieve before composing (default 20). */
  passages?: number;
}

/** Search the index, turning a question with nothing to search for into a user-facing error. */
export function searchQuestion(
  deps: AskDeps,
  question: string,
  limit: number,
  mode?: SearchMode,
): SearchResult {
  const text = question.slice(0, MAX_QUESTION_CHARS);
  return search(deps.store, text, { limit, mode, synonyms: deps.synonyms });
}

/** Answer a question extractively: search, then pick verbatim quotes. Never throws for odd input. */
export function ask(deps: AskDeps, question: string, options: AskOptions = {}): Answer {
  return askWithHits(deps, question, options).answer;
}

/** A question with nothing to search for is answered, not failed: "nothing relevant", saying why. Rethrows others. */
export function nothingToSearch(question: string, error: unknown): Answer {
  if (error instanceof VerbatimError && error.code === "EMPTY_QUERY") {
    return { question, status: "nothing-relevant", quotes: [], reason: error.message };
  }
  throw error;
}

/** `ask`, also returning the passages it searched (for evaluation and `/search`-style follow-ups). */
export function askWithHits(
  deps: AskDeps,
  question: string,
  options: AskOptions = {},
): { answer: Answer; hits: Hit[] } {
  let result: SearchResult;
  try {
    result = searchQuestion(deps, question, options.passages ?? 20, options.mode);
  } catch (error) {
    return { answer: nothingToSearch(question, error), hits: [] };
  }
  const { store } = deps;
  const answer = composeExtractive(
    question,
    result,
    { docFreq: (s) => store.docFreq(s), total: () => store.totalPassages() },
    { ...options, articleText: (id) => store.getArticle(id)?.text ?? null },
  );
  return { answer, hits: result.hits };
}
