import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths, upsertArticles } from "../src/ingest/files.js";
import { CORPUS, expectFailedWritesLeaveNoRows, newsArticle, tempDir } from "./helpers.js";

/** Every term's passage count as `term_counts` keeps it, and as FTS5 counts it by reading its doclists. */
function counts(file: string): { kept: Map<string, number>; fts: Map<string, number> } {
  const db = new Database(file, { readonly: true });
  try {
    const read = (sql: string) =>
      new Map((db.prepare(sql).all() as { term: string; doc: number }[]).map((r) => [r.term, r.doc]));
    return {
      kept: read("SELECT term, doc FROM term_counts"),
      fts: read("SELECT term, doc FROM passage_vocab"),
    };
  } finally {
    db.close();
  }
}

/** The passages an index file holds, counted row by row. */
function passageRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM passages").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function expectCountsExact(file: string, store?: IndexStore): void {
  const { kept, fts } = counts(file);
  expect(fts.size).toBeGreaterThan(0);
  expect(kept).toEqual(fts);
  if (store) {
    store.forgetFrequencies();
    expect(store.totalPassages()).toBe(passageRows(file));
  }
}

describe("term counts kept beside the full-text index", () => {
  let dir: { dir: string; cleanup: () => void };
  let file: string;
  let store: IndexStore;
  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir.dir, "index.sqlite");
    store = new IndexStore(file);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it("match FTS5's own counts, and the passage count the rows', after ingest, update, removal and failed writes", async () => {
    await ingestPaths(store, [CORPUS]);
    expectCountsExact(file, store);
    const before = store.docFreq("wastewat");
    expect(before).toBeGreaterThan(0);

    store.upsertArticle(
      newsArticle("a1", "Wastewater rules", "The wastewater plant opened.\n\nZeppelins flew."),
    );
    expect(store.docFreq("wastewat")).toBe(before + 1);
    store.upsertArticle(newsArticle("a1", "Harbour rules", "The harbour reopened.\n\nZeppelins flew again."));
    expect(store.docFreq("wastewat")).toBe(before);
    expect(store.docFreq("harbour")).toBeGreaterThan(0);
    expectCountsExact(file, store);

    expect(store.removeArticle("a1")).toBe(true);
    // A word only the removed article held is gone from the counts, not left at zero.
    expect(store.docFreq("zeppelin")).toBe(0);
    expectCountsExact(file, store);

    expectFailedWritesLeaveNoRows(store);
    expectCountsExact(file, store);
  });

  it("are recounted whole at the end of a bulk load, and read from FTS5 in the middle of one", () => {
    const articles = Array.from({ length: 21_000 }, (_, i) =>
      newsArticle(
        `bulk-${i}`,
        `Bulletin ${i % 7}`,
        `Quarry ${i % 3 === 0 ? "granite" : "basalt"} number ${i}.`,
      ),
    );
    let during = -1;
    store.transaction(() => {
      upsertArticles(store, articles);
      during = store.docFreq("granit");
      // An article that fails inside the bulk load leaves the load's counting as it was.
      expect(() =>
        store.transaction(() => {
          store.upsertArticle(newsArticle("failing", "Granite", "Granite failing."));
          throw new Error("bad article");
        }),
      ).toThrow("bad article");
    });
    expect(during).toBe(7000);
    expect(store.docFreq("granit")).toBe(7000);
    expectCountsExact(file, store);
  });

  it("count words as the index's own language does (folded, not stemmed, for German)", () => {
    store.close();
    dir.cleanup();
    dir = tempDir();
    file = path.join(dir.dir, "index.sqlite");
    store = new IndexStore(file, { language: "de" });
    store.upsertArticle(newsArticle("de1", "Über Häuser", "Die Häuser stehen.\n\nDas Haus steht am Fluss."));
    store.upsertArticle(newsArticle("de2", "Flüsse", "Die Flüsse fließen."));
    expect(store.docFreq("hauser")).toBe(1);
    expect(store.docFreq("fluss")).toBe(1);
    expectCountsExact(file, store);
    store.removeArticle("de1");
    expect(store.docFreq("hauser")).toBe(0);
    expectCountsExact(file, store);
  });

  it("are counted once for an index made before them, and counted by reading where it is opened read-only", async () => {
    await ingestPaths(store, [CORPUS]);
    store.close();
    const old = new Database(file);
    old.exec("DROP TABLE term_counts; DELETE FROM meta WHERE key = 'passages'");
    old.close();
    const readonly = new IndexStore(file, { readonly: true });
    expect(readonly.docFreq("wastewat")).toBeGreaterThan(0);
    expect(readonly.totalPassages()).toBe(passageRows(file));
    readonly.close();
    store = new IndexStore(file);
    expectCountsExact(file, store);
  });
});
