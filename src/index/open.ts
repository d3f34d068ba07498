import path from "node:path";
import type { Config } from "../config.js";
import { loadSynonyms, type SynonymMap } from "../text/lexicon.js";
import { IndexStore, isPostgresUrl } from "./store.js";

/** An index as given on a command line or in the environment: a PostgreSQL address as it is, a file resolved. */
export function indexLocation(given: string): string {
  return isPostgresUrl(given) ? given : path.resolve(given);
}

/** The index and the query lexicon, opened together once per process. */
export interface Corpus {
  store: IndexStore;
  synonyms: SynonymMap;
}

/** Open the index at `indexPath` (created when missing) with the configured synonym list. */
export function openCorpus(
  config: Pick<Config, "indexPath" | "synonymsPath"> & Partial<Pick<Config, "indexLanguage">>,
  indexPath = config.indexPath,
): Corpus {
  // The index first: it sets how words are stemmed, which the synonym list is read with.
  const store = new IndexStore(indexPath, config.indexLanguage ? { language: config.indexLanguage } : {});
  return { store, synonyms: loadSynonyms(config.synonymsPath) };
}
