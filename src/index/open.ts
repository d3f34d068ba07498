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
  config: Pick<Config, "indexPath" | "synonymsPath">,
  indexPath = config.indexPath,
): Corpus {
  return { store: new IndexStore(indexPath), synonyms: loadSynonyms(config.synonymsPath) };
}
