import type { Config } from "../config.js";
import { loadSynonyms, type SynonymMap } from "../text/lexicon.js";
import { IndexStore } from "./store.js";

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
  const store = openIndex(config, indexPath);
  return { store, synonyms: loadSynonyms(config.synonymsPath) };
}

/** Open the index at `location` (created when missing) in the configured language. */
export function openIndex(config: Partial<Pick<Config, "indexLanguage">>, location: string): IndexStore {
  return new IndexStore(location, config.indexLanguage ? { language: config.indexLanguage } : {});
}
