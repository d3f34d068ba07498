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

/** Make the store's `n`th article write fail as a full disk would; returns what puts it back. */
function failWrite(target: IndexStore, n: number): () => void {
  const original = target.upsertPrepared.bind(target);
  let calls = 0;
  target.upsertPrepared = (a, now) => {
    if (++calls === n) throw new Error("disk full");
    return original(a, now);
  };
  return () => {
    target.upsertPrepared = original;
  };
}

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

    const restore = failWrite(store, 2);
    await expect(ingestPaths(store, [data])).rejects.toThrow("disk full");
    restore();

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

describe("a JSONL file read a line at a time", () => {
  const record = (i: number, text = `Report ${i} says the harbor ferry ${i} sailed at dawn.`) =>
    JSON.stringify({ id: `line-${i}`, title: `Ferry ${i}`, text });

  it("gives the articles and warnings a whole read gives, line numbers and all", async () => {
    const { loadFile } = await import("../src/corpus/load.js");
    const file = path.join(dir, "mixed.jsonl");
    // A byte-order mark, Windows line ends, blank lines, a broken line and a record without text.
    writeFileSync(
      file,
      `\ufeff${record(1)}\r\n\r\n{ broken\n${JSON.stringify({ id: "empty", title: "x" })}\n${record(5)}\n`,
    );
    const whole = await loadFile(file, dir);
    const report = await ingestPaths(store, [file], { cwd: dir });
    expect(report.added).toBe(2);
    expect(report.warnings).toEqual(whole.warnings);
    expect(report.warnings).toEqual([
      expect.stringMatching(/^mixed\.jsonl:3: malformed JSON line skipped/),
      'mixed.jsonl:4: record skipped: no "text"',
    ]);
    for (const a of whole.articles) expect(store.getArticle(a.id)?.text).toBe(a.text);
  });

  it("reads a character cut in two by the pieces it is read in, and refuses a file that is not UTF-8", async () => {
    const file = path.join(dir, "wide.jsonl");
    // "€" is three bytes: the padding puts its first byte last in the first megabyte read.
    const head = `{"id":"w1","title":"Prices","text":"The ferry fare rose to 5 `;
    const pad = " ".repeat(1024 * 1024 - Buffer.byteLength(head) - 1);
    writeFileSync(file, `${head}${pad}€ this week."}\n${record(2)}\n`);
    const report = await ingestPaths(store, [file]);
    expect(report).toMatchObject({ added: 2, warnings: [], skipped: [] });
    expect(store.getArticle("w1")?.text).toMatch(/5 +€ this week\.$/);

    const bad = path.join(dir, "latin1.jsonl");
    writeFileSync(
      bad,
      Buffer.concat([Buffer.from(`${record(3)}\n{"id":"l","title":"Caf`), Buffer.from([0xe9, 0x22, 0x7d])]),
    );
    const refused = await ingestPaths(store, [bad], { cwd: dir });
    expect(refused.skipped).toEqual([{ file: "latin1.jsonl", why: "not UTF-8 text" }]);
    expect(store.getArticle("line-3")).toBeNull();
  });

  it("skips a line too long to be an article, says which, and reads the lines after it", async () => {
    const { MAX_LINE_BYTES } = await import("../src/corpus/jsonl-stream.js");
    const file = path.join(dir, "huge.jsonl");
    writeFileSync(file, `${record(1)}\n${record(2, "x".repeat(MAX_LINE_BYTES + 10))}\n${record(3)}\n`);
    const report = await ingestPaths(store, [file], { cwd: dir });
    expect(report.added).toBe(2);
    expect(report.warnings).toEqual(["huge.jsonl:2: line skipped: over 16 MB"]);
    expect(store.getArticle("line-3")?.title).toBe("Ferry 3");
  });

  it("keeps a hundred warnings of a file and counts the rest", async () => {
    const file = path.join(dir, "noisy.jsonl");
    const lines = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? "{ broken" : record(i)));
    writeFileSync(file, lines.join("\n"));
    const report = await ingestPaths(store, [file], { cwd: dir });
    expect(report.added).toBe(125);
    expect(report.warnings).toHaveLength(101);
    expect(report.warnings.at(-1)).toBe("noisy.jsonl: … and 25 more lines skipped");
  });

  it("is not parsed again while unchanged, and loses nothing when every line turns bad", async () => {
    const file = path.join(dir, "feed.jsonl");
    writeFileSync(file, `${record(1)}\n${record(2)}\n`);
    await ingestPaths(store, [file]);
    const again = await ingestPaths(store, [file]);
    expect(again).toMatchObject({ unchangedFiles: 1, unchanged: 2, added: 0 });
    writeFileSync(file, "{ broken\n{ also broken\n");
    const bad = await ingestPaths(store, [file]);
    expect(bad).toMatchObject({ removed: 0, added: 0 });
    expect(store.stats().articles).toBe(2);
    writeFileSync(file, `${record(2)}\n`);
    expect(await ingestPaths(store, [file])).toMatchObject({ removed: 1, unchanged: 1 });
  });

  it("skips an empty file and a binary one, as a whole read does", async () => {
    writeFileSync(path.join(dir, "blank.jsonl"), "\ufeff \n\n");
    writeFileSync(path.join(dir, "blob.jsonl"), Buffer.from([0x7b, 0x00, 0x01, 0x02]));
    const report = await ingestPaths(store, [path.join(dir, "blank.jsonl"), path.join(dir, "blob.jsonl")], {
      cwd: dir,
    });
    expect(report.files).toBe(0);
    expect(report.skipped).toEqual([
      { file: "blank.jsonl", why: "empty file" },
      { file: "blob.jsonl", why: "binary file (contains NUL bytes)" },
    ]);
  });
});

describe("a bulk load", () => {
  const journal = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma("journal_mode", { simple: true });
    } finally {
      db.close();
    }
  };
  const bigJsonl = (file: string, records: number) => {
    const lines = Array.from({ length: records }, (_, i) =>
      JSON.stringify({
        id: `bulk-${i}`,
        title: `Bulletin ${i}`,
        published: "2024-03-01",
        text: `Bulletin ${i}: the harbor board met on Tuesday. ${"It reviewed the ferry timetable and the budget. ".repeat(20)}\n\nThe next meeting is in April.`,
      }),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
  };

  it("fills an empty index with a rollback journal and leaves the write-ahead log on after", async () => {
    const file = path.join(dir, "index.sqlite");
    const seen = new Set<string>();
    await ingestPaths(store, [SEED], { onProgress: () => seen.add(String(journal(file))) });
    expect(seen).toEqual(new Set(["delete"]));
    expect(journal(file)).toBe("wal");
    // An index that holds articles keeps its log while it is written, so readers go on answering.
    seen.clear();
    const more = path.join(dir, "more.md");
    writeFileSync(more, article("Gamma", "Gamma rays were measured over the harbour."));
    await ingestPaths(store, [more], { onProgress: () => seen.add(String(journal(file))) });
    expect(seen).toEqual(new Set(["wal"]));
    store.checkpoint();
  });

  it("keeps the log when another connection has the file open, and when the first load fails", async () => {
    const file = path.join(dir, "index.sqlite");
    const reader = new Database(file, { readonly: true });
    reader.prepare("SELECT count(*) FROM articles").get();
    const seen = new Set<string>();
    await ingestPaths(store, [SEED], { onProgress: () => seen.add(String(journal(file))) });
    reader.close();
    expect(seen).toEqual(new Set(["wal"]));
    expect(store.stats().articles).toBe(1);

    const other = new IndexStore(path.join(dir, "other.sqlite"));
    try {
      other.upsertPrepared = () => {
        throw new Error("disk full");
      };
      await expect(ingestPaths(other, [SEED])).rejects.toThrow("disk full");
      expect(journal(path.join(dir, "other.sqlite"))).toBe("wal");
      expect(other.stats().articles).toBe(0);
      other.checkpoint();
    } finally {
      other.close();
    }
  });

  it("reads a large JSONL file on a worker thread into the same articles a whole read gives", async () => {
    const { loadFile } = await import("../src/corpus/load.js");
    const { READ_AHEAD_BYTES } = await import("../src/ingest/read-ahead.js");
    const file = path.join(dir, "bulk.jsonl");
    bigJsonl(file, 4000);
    const { statSync } = await import("node:fs");
    expect(statSync(file).size).toBeGreaterThan(READ_AHEAD_BYTES);
    const whole = await loadFile(file, dir);
    const report = await ingestPaths(store, [file], { cwd: dir });
    expect(report).toMatchObject({ added: 4000, warnings: [] });
    for (const a of whole.articles.filter((_, i) => i % 400 === 0)) {
      const stored = store.getArticle(a.id);
      expect(stored?.text).toBe(a.text);
      expect(stored?.title).toBe(a.title);
      expect(stored?.publishedAt).toBe("2024-03-01");
    }
    expect(search(store, "bulletin 1234 harbor board").hits[0]?.article.id).toBe("bulk-1234");
  });

  it("stops its reader and keeps the index as it was when a write fails midway", async () => {
    const file = path.join(dir, "bulk.jsonl");
    bigJsonl(file, 4000);
    const { READ_AHEAD_BYTES } = await import("../src/ingest/read-ahead.js");
    const { statSync } = await import("node:fs");
    expect(statSync(file).size).toBeGreaterThan(READ_AHEAD_BYTES);
    const restore = failWrite(store, 2000);
    await expect(ingestPaths(store, [file])).rejects.toThrow("disk full");
    restore();
    expect(store.stats().articles).toBe(0);
    expect((await ingestPaths(store, [file])).added).toBe(4000);
  });

  it("names the file when its reader thread fails", async () => {
    const { jsonlArticles, READ_AHEAD_BYTES } = await import("../src/ingest/read-ahead.js");
    const gone = jsonlArticles(path.join(dir, "gone.jsonl"), {
      source: "gone.jsonl",
      size: READ_AHEAD_BYTES,
      fetchedAt: new Date().toISOString(),
      onBytes: () => {},
    });
    await expect(gone.next()).rejects.toThrow(/^reading gone\.jsonl failed: .*ENOENT/);
  });

  it("collects its garbage when the heap grows past the bound", async () => {
    const { heapBound } = await import("../src/heap-bound.js");
    const v8 = await import("node:v8");
    let garbage: string[] | null = Array.from({ length: 400_000 }, (_, i) => `garbage line ${i} `.repeat(4));
    const before = v8.getHeapStatistics().used_heap_size;
    garbage = null;
    heapBound(0)();
    expect(garbage).toBeNull();
    expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(before - 20 * 1024 * 1024);
  });
});

describe("a serving process's heap", () => {
  it("is collected in the turn after an answer, never inside it", async () => {
    const { heapBoundBetween } = await import("../src/heap-bound.js");
    const v8 = await import("node:v8");
    const bound = heapBoundBetween(0);
    let garbage: string[] | null = Array.from({ length: 400_000 }, (_, i) =>
      `answer garbage ${i} `.repeat(4),
    );
    const before = v8.getHeapStatistics().used_heap_size;
    garbage = null;
    bound();
    bound();
    expect(garbage).toBeNull();
    // Nothing was collected yet: the check waits for the next turn of the event loop.
    expect(v8.getHeapStatistics().used_heap_size).toBeGreaterThan(before - 5 * 1024 * 1024);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(v8.getHeapStatistics().used_heap_size).toBeLessThan(before - 20 * 1024 * 1024);
  });
});
