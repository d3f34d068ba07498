import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths, upsertArticles } from "../src/ingest/files.js";
import { search } from "../src/search/lexical.js";
import { expectFailedWritesLeaveNoRows, newsArticle, SEED, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let store: IndexStore;

const article = (title: string, body: string) =>
  `---\ntitle: ${title}\nurl: https://example.com/${title.replace(/\W+/g, "-")}\n---\n\n${body}\n`;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  store = new IndexStore(path.join(dir, "index.sqlite"));
});
afterEach(() => {
  store.close();
  cleanup();
});

describe("storage", () => {
  it("stores each article's text once, in its passages, and gives it back exactly", async () => {
    const { loadFile, listFiles } = await import("../src/corpus/load.js");
    const { CORPUS } = await import("./helpers.js");
    await ingestPaths(store, [CORPUS]);
    const { files } = await listFiles([CORPUS]);
    let checked = 0;
    // A second connection reads the raw column: the store keeps its own connection to itself.
    const raw = new Database(store.path, { readonly: true });
    for (const file of files) {
      for (const article of (await loadFile(file)).articles) {
        const row = raw.prepare("SELECT text FROM articles WHERE id = ?").get(article.id) as {
          text: string;
        };
        expect(row.text).toBe("");
        expect(store.getArticle(article.id)?.text).toBe(article.text);
        checked++;
      }
    }
    raw.close();
    expect(checked).toBe(7);
  });
});

describe("an index made by an earlier version", () => {
  it("gains the new columns and keeps answering from the text it stored", async () => {
    const file = path.join(dir, "old.sqlite");
    const old = new IndexStore(file);
    old.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(file);
    db.exec(
      "DROP INDEX articles_first_seen; DROP INDEX articles_seq; ALTER TABLE passages DROP COLUMN sep; ALTER TABLE articles DROP COLUMN first_seen_at; ALTER TABLE articles DROP COLUMN seq",
    );
    db.prepare(
      "INSERT INTO articles (id, url, title, site, published_at, author, text, fetched_at, source, hash, indexed_at) VALUES ('a', NULL, 'Dam', NULL, NULL, NULL, 'The dam opened in 1961.', '', 'x', 'h', '2020-01-01')",
    ).run();
    db.prepare(
      "INSERT INTO articles (id, url, title, site, published_at, author, text, fetched_at, source, hash, indexed_at) VALUES ('b', NULL, 'Weir', NULL, NULL, NULL, 'The weir came first.', '', 'y', 'h2', '2019-06-01')",
    ).run();
    db.prepare(
      "INSERT INTO passages (article_id, ordinal, start_offset, end_offset, text) VALUES ('a', 0, 0, 23, 'The dam opened in 1961.')",
    ).run();
    db.close();
    const reopened = new IndexStore(file);
    try {
      expect(reopened.getArticle("a")?.text).toBe("The dam opened in 1961.");
      expect(reopened.articlesFirstSeen("2019-12-01", "2021-01-01")).toEqual(["a"]);
      // Articles are numbered in the order they were first seen, and new ones come after them.
      expect(reopened.articlesInSeq(0, 1)).toEqual(["b"]);
      expect(reopened.articlesInSeq(1, 2)).toEqual(["a"]);
      reopened.upsertArticle(
        {
          id: "c",
          url: null,
          title: "Canal",
          site: null,
          publishedAt: null,
          author: null,
          text: "The canal opened last.",
          fetchedAt: "",
          source: "z",
        },
        "2018-01-01T00:00:00Z",
      );
      expect(reopened.articlesInSeq(2, reopened.committedSeq())).toEqual(["c"]);
    } finally {
      reopened.close();
    }
  });
});

describe("progress", () => {
  it("moves steadily through one large file, in kilobytes, up to the total", async () => {
    const file = path.join(dir, "big.jsonl");
    const lines = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({
        id: `r${i}`,
        title: `Record ${i}`,
        text: `The ${i}th record says the harbor opened.`,
      }),
    );
    writeFileSync(file, lines.join("\n"));
    const seen: [number, number][] = [];
    await ingestPaths(store, [file], { onProgress: (done, total) => seen.push([done, total]) });
    const total = seen[0]?.[1] ?? 0;
    expect(total).toBeGreaterThan(50);
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.at(-1)).toEqual([total, total]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.[0]).toBeGreaterThanOrEqual(seen[i - 1]?.[0] ?? 0);
  });
});

describe("incremental ingest", () => {
  it("indexes new files, skips unchanged ones, replaces changed ones and removes deleted ones", async () => {
    const data = path.join(dir, "data");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(data);
    writeFileSync(path.join(data, "a.md"), article("Alpha", "The alpha reactor restarted in May."));
    writeFileSync(path.join(data, "b.md"), article("Beta", "The beta mine closed in June."));

    const first = await ingestPaths(store, [data]);
    expect(first).toMatchObject({ files: 2, added: 2, updated: 0, removed: 0 });
    const version = store.version();

    const second = await ingestPaths(store, [data]);
    expect(second).toMatchObject({ added: 0, updated: 0, removed: 0, unchangedFiles: 2 });
    expect(store.version()).toBe(version);

    writeFileSync(
      path.join(data, "a.md"),
      article("Alpha", "The alpha reactor restarted in July after repairs."),
    );
    rmSync(path.join(data, "b.md"));
    const third = await ingestPaths(store, [data]);
    expect(third).toMatchObject({ added: 0, updated: 1, removed: 1 });
    expect(store.version()).toBeGreaterThan(version);
    expect(search(store, "reactor July").hits[0]?.passage.text).toContain("July after repairs");
    expect(search(store, "reactor May").hits.some((h) => h.passage.text.includes("May"))).toBe(false);
    expect(search(store, "beta mine").hits).toHaveLength(0);
    expect(store.stats()).toMatchObject({ articles: 1 });
  });

  it("does not remove articles of folders it was not asked about", async () => {
    copyFileSync(SEED, path.join(dir, "seed.txt"));
    const other = path.join(dir, "other.md");
    writeFileSync(other, article("Gamma", "Gamma rays were measured over the harbour."));
    await ingestPaths(store, [other]);
    await ingestPaths(store, [path.join(dir, "seed.txt")]);
    expect(store.stats().articles).toBe(2);
  });

  it("keeps a file's articles when it turns malformed, and says why", async () => {
    const file = path.join(dir, "feed.jsonl");
    writeFileSync(file, '{"id":"x1","title":"Dam","text":"The dam was finished in 1961."}\n');
    await ingestPaths(store, [file]);
    writeFileSync(file, "{ broken\n");
    const report = await ingestPaths(store, [file]);
    expect(report.warnings.join("\n")).toMatch(/feed\.jsonl:1: malformed JSON/);
    expect(search(store, "dam finished").hits).toHaveLength(1);
  });

  it("leaves the previous index intact when an ingest fails midway", async () => {
    const data = path.join(dir, "data");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(data);
    writeFileSync(path.join(data, "a.md"), article("Alpha", "The alpha reactor restarted in May."));
    await ingestPaths(store, [data]);
    writeFileSync(path.join(data, "a.md"), article("Alpha", "The alpha reactor was shut down for good."));
    writeFileSync(path.join(data, "b.md"), article("Beta", "The beta mine closed in June."));

    const original = store.upsertArticle.bind(store);
    let calls = 0;
    store.upsertArticle = (a, now) => {
      if (++calls === 2) throw new Error("disk full");
      return original(a, now);
    };
    await expect(ingestPaths(store, [data])).rejects.toThrow("disk full");
    store.upsertArticle = original;

    const reopened = new IndexStore(path.join(dir, "index.sqlite"));
    try {
      expect(reopened.stats().articles).toBe(1);
      expect(search(reopened, "reactor").hits[0]?.passage.text).toBe("The alpha reactor restarted in May.");
    } finally {
      reopened.close();
    }
  });

  it("stores the same article from two files once", async () => {
    writeFileSync(path.join(dir, "one.md"), article("Same", "One story, syndicated twice."));
    writeFileSync(path.join(dir, "two.md"), article("Same", "One story, syndicated twice."));
    await ingestPaths(store, [dir]);
    expect(store.stats().articles).toBe(1);
    rmSync(path.join(dir, "one.md"));
    await ingestPaths(store, [dir]);
    expect(store.stats().articles).toBe(1);
  });
});

describe("full-text rows held back until a transaction ends", () => {
  const words = (q: string) => search(store, q).hits.map((h) => h.article.id);

  it("are not written by a transaction that fails, nor at the next commit; a failed inner one drops only its own", () => {
    expectFailedWritesLeaveNoRows(store);
    expect(words("tram depot")).toEqual(["outer"]);
    expect(words("zeppelin")).toEqual([]);
  });

  it("are searchable inside the transaction that adds them, and an update in it leaves only the new text", () => {
    store.transaction(() => {
      store.upsertArticle(newsArticle("a", "A", "The old lighthouse keeper retired."));
      expect(words("lighthouse keeper")).toEqual(["a"]);
      store.upsertArticle(newsArticle("a", "A", "The new ferry terminal opened."));
    });
    expect(words("ferry terminal")).toEqual(["a"]);
    expect(store.countMatches({ terms: [["lighthouse"]], mode: "or" })).toBe(0);
  });
});

describe("an index shared with another process", () => {
  it("counts what another connection ingested (a worker's feed poll) without a restart", async () => {
    const worker = new IndexStore(path.join(dir, "index.sqlite"));
    try {
      upsertArticles(worker, [newsArticle("harbor", "Harbor news", "The harbor opened on Monday.")]);
      // The bot has read its counts, and cached them, before the worker's next ingest.
      expect(store.docFreq("zorblax")).toBe(0);
      const before = store.totalPassages();
      upsertArticles(worker, [
        newsArticle("zorblax", "Zorblax mining", "Zorblax mining began in the hills."),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(store.docFreq("zorblax")).toBe(1);
      expect(store.totalPassages()).toBe(before + 1);
      expect(search(store, "zorblax mining").hits[0]?.article.id).toBe("zorblax");
    } finally {
      worker.close();
    }
  });
});
