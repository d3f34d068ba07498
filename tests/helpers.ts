import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ingestPaths } from "../src/index/ingest.js";
import { loadSynonyms } from "../src/index/lexicon.js";
import { IndexStore } from "../src/index/store.js";

export const FIXTURES = path.resolve(import.meta.dirname, "fixtures");
export const CORPUS = path.join(FIXTURES, "corpus");
export const SEED = path.join(CORPUS, "miit-rare-earth-healthy-development.txt");
export const SYNONYMS = loadSynonyms(path.resolve(import.meta.dirname, "../config/synonyms.txt"));

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "verbatim-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An in-memory index holding the given paths. */
export async function indexOf(...paths: string[]): Promise<IndexStore> {
  const store = new IndexStore(":memory:");
  await ingestPaths(store, paths);
  return store;
}
