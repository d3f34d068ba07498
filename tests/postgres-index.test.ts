import { spawn } from "node:child_process";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import type { MatchQuery } from "../src/index/contracts.js";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths } from "../src/ingest/files.js";
import { embedMissing, VectorIndex } from "../src/search/vectors.js";
import {
  ask,
  CORPUS,
  expectFailedWritesLeaveNoRows,
  FIXTURES,
  freshSchema,
  newsArticle,
  SEED,
  SYNONYMS,
  tempDir,
} from "./helpers.js";

// The PostgreSQL index against a real server, beside the SQLite one on the same fixtures: the same passages, the
// same rankings, the same answers. `.ci/run` gives the local server (and fails when it cannot reach it).
const SERVER = process.env.TEST_DATABASE_URL;
if (!SERVER)
  console.info(
    "PostgreSQL index skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it",
  );

const QUERIES: MatchQuery[] = [
  { terms: [["wastewater"]], mode: "or" },
  { terms: [["vice"], ["minister"], ["wastewater"]], mode: "or" },
  { terms: [["rare", "earth"], ["pollution"]], mode: "and" },
  { terms: [["lithium"], ["plant"], ["water"]], mode: "or" },
  { terms: [["rare earth"], ["industry"]], mode: "or" },
  { terms: [["harbor"], ["master"]], mode: "and" },
];

describe.skipIf(!SERVER)("the index in PostgreSQL", () => {
  let url: string;
  let drop: () => Promise<void>;
  let sqlite: IndexStore;
  let postgres: IndexStore;

  beforeEach(async () => {
    ({ url, drop } = await freshSchema());
    sqlite = new IndexStore(":memory:");
    await ingestPaths(sqlite, [CORPUS]);
    postgres = new IndexStore(url);
    await ingestPaths(postgres, [CORPUS]);
  });
  afterEach(async () => {
    sqlite.close();
    postgres.close();
    await drop();
  });

  it("holds the same articles and passages, with offsets into the article text", () => {
    expect(postgres.stats().articles).toBe(sqlite.stats().articles);
    expect(postgres.totalPassages()).toBe(sqlite.totalPassages());
    const id = sqlite.articlesInSeq(0, 1000)[0] ?? "";
    const article = postgres.getArticle(id);
    // Everything but the time each ingest read the file.
    expect({ ...article, fetchedAt: "" }).toEqual({ ...sqlite.getArticle(id), fetchedAt: "" });
    for (const p of postgres.passagesOf(id)) expect(article?.text.slice(p.start, p.end)).toBe(p.text);
  });

  it("ranks as FTS5 ranks: the same passages in the same order, BM25 scores within a few parts in a thousand", () => {
    for (const query of QUERIES) {
      const a = sqlite.match(query, 10);
      const b = postgres.match(query, 10);
      expect(b.map((r) => r.text)).toEqual(a.map((r) => r.text));
      for (const [i, row] of b.entries()) expect(row.score).toBeCloseTo(a[i]?.score ?? 0, 2);
      expect(postgres.countMatches(query)).toBe(sqlite.countMatches(query));
    }
    expect(postgres.docFreq("wastewat")).toBe(sqlite.docFreq("wastewat"));
    expect(postgres.termsWithPrefix("minist", 5)).toEqual(sqlite.termsWithPrefix("minist", 5));
  });

  it("answers the seed question with the same quotes", async () => {
    const question = "what did the vice minister say about wastewater?";
    const fromSqlite = await ask({ store: sqlite, synonyms: SYNONYMS }, question);
    const fromPostgres = await ask({ store: postgres, synonyms: SYNONYMS }, question);
    expect(fromPostgres.status).toBe("answered");
    expect(fromPostgres.quotes.map((q) => q.text)).toEqual(fromSqlite.quotes.map((q) => q.text));
    expect(fromPostgres.quotes[0]?.text).toMatch(/wastewater/);
  });

  it("keeps date and source filters", () => {
    postgres.upsertArticle(
      newsArticle("dated", "Port wastewater rules", "The harbor master said wastewater rules apply.", {
        publishedAt: "2026-03-02",
        url: "https://www.port.example.org/a",
        site: "Port Weekly",
      }),
    );
    const words: MatchQuery["terms"] = [["wastewater"]];
    const inMarch = postgres.match(
      { terms: words, mode: "or", window: { from: "2026-03-01", to: "2026-04-01" } },
      10,
    );
    expect(inMarch.map((r) => r.article_id)).toEqual(["dated"]);
    expect(
      postgres.match({ terms: words, mode: "or", source: "port.example.org" }, 10).map((r) => r.article_id),
    ).toEqual(["dated"]);
    expect(postgres.match({ terms: words, mode: "or", source: "port weekly" }, 10)).toHaveLength(1);
    expect(
      postgres.match({ terms: words, mode: "or", window: { from: "1990-01-01", to: "1990-02-01" } }, 10),
    ).toEqual([]);
  });

  it("writes no full-text rows for a transaction that fails, nor later, and keeps an outer one's", () => {
    expectFailedWritesLeaveNoRows(postgres);
  });

  it("searches hostile text as words, never as syntax", () => {
    const hostile: MatchQuery = {
      terms: [["'; DROP TABLE articles; --"], ["wastewater"], ['wastewater" OR 1=1'], ["$1 ?"], ["?", "\\"]],
      mode: "or",
    };
    const found = postgres.match(hostile, 5);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((r) => r.text)).toEqual(sqlite.match(hostile, 5).map((r) => r.text));
    expect(postgres.stats().articles).toBe(sqlite.stats().articles);
  });

  it("re-ingests incrementally: unchanged files are skipped, changed ones replaced, deleted ones removed", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { url: own, drop: dropOwn } = await freshSchema();
      const store = new IndexStore(own);
      try {
        const seed = path.join(dir, "seed.txt");
        const lithium = path.join(dir, "lithium.md");
        copyFileSync(SEED, seed);
        copyFileSync(path.join(CORPUS, "lithium-plant.md"), lithium);
        const first = await ingestPaths(store, [dir]);
        expect(first.added).toBe(2);
        const again = await ingestPaths(store, [dir]);
        expect(again.added + again.updated + again.removed).toBe(0);
        const text = readFileSync(lithium, "utf8");
        writeFileSync(
          lithium,
          text.replace("The company said", "Zeolite filters were new.\n\nThe company said"),
        );
        expect(store.docFreq("wastewat")).toBeGreaterThan(0);
        const changed = await ingestPaths(store, [dir]);
        expect(changed, JSON.stringify(changed)).toMatchObject({ updated: 1, added: 0, removed: 0 });
        expect(store.docFreq("zeolit")).toBe(1);
        expect(store.match({ terms: [["zeolite"]], mode: "or" }, 5)).toHaveLength(1);
        rmSync(seed);
        const removed = await ingestPaths(store, [dir]);
        expect(removed.removed).toBe(1);
        expect(store.docFreq("wastewat")).toBe(0);
        expect(store.docFreq("zeolit")).toBe(1);
        expect(store.match({ terms: [["wastewater"]], mode: "or" }, 5)).toEqual([]);
        expect(store.stats().articles).toBe(1);
        // After updates and removals, the counts BM25 reads are what a fresh index of the same files holds.
        const fresh = new IndexStore(":memory:");
        await ingestPaths(fresh, [dir]);
        const query: MatchQuery = { terms: [["lithium"], ["zeolite"], ["refinery"]], mode: "or" };
        const expected = fresh.match(query, 5);
        expect(expected.length).toBeGreaterThan(0);
        expect(store.match(query, 5).map((r) => [r.text, r.score.toFixed(3)])).toEqual(
          expected.map((r) => [r.text, r.score.toFixed(3)]),
        );
        fresh.close();
      } finally {
        store.close();
        await dropOwn();
      }
    } finally {
      cleanup();
    }
  });

  it("embeds every passage and finds the same nearest passages as on SQLite (vectors scored in the app)", async () => {
    // Deterministic vectors from the words of a text: enough to tell passages apart, no server needed.
    const embedder = {
      model: "words-64",
      embed: async (texts: string[]) =>
        texts.map((t) => {
          const v = new Float32Array(64);
          for (const w of t.toLowerCase().match(/[a-z]+/g) ?? []) {
            const slot = [...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 64, 7);
            v[slot] = (v[slot] ?? 0) + 1;
          }
          return v;
        }),
    };
    expect(await embedMissing(postgres, embedder)).toBe(await embedMissing(sqlite, embedder));
    expect(await embedMissing(postgres, embedder)).toBe(0);
    const [query] = await embedder.embed(["wastewater discharge and ammonia nitrogen"]);
    const near = (store: IndexStore) =>
      store
        .passageRows(
          new VectorIndex(store, "words-64").nearest(query ?? new Float32Array(64), 3).map((h) => h.id),
        )
        .map((r) => r.text);
    expect(near(postgres)).toEqual(near(sqlite));
    expect(near(postgres)[0]).toMatch(/wastewater/);
  });

  it("keeps feeds, source files and vectors", () => {
    expect(postgres.feeds.add("https://feeds.example.com/rss", 30, "admin")).toBe(true);
    expect(postgres.feeds.add("https://feeds.example.com/rss", 30, "admin")).toBe(false);
    const feed = postgres.feeds.get("https://feeds.example.com/rss");
    expect(feed?.intervalMinutes).toBe(30);
    postgres.feeds.record("https://feeds.example.com/rss", "guid-1", "https://x.example.com/1", "a1");
    expect(postgres.feeds.seen("https://feeds.example.com/rss", "guid-1", null)).toBe(true);
    expect(postgres.feeds.seen("https://other.example.com/rss", null, "https://x.example.com/1")).toBe(true);
    expect(postgres.sources.all().length).toBe(sqlite.sources.all().length);
    postgres.embeddings.put("test-model", "h1", new Float32Array([0.5, -1, 2]));
    const [stored] = [...postgres.embeddings.vectors("test-model")];
    expect(stored?.hash).toBe("h1");
    expect([...new Float32Array(new Uint8Array(stored?.vector ?? []).buffer)]).toEqual([0.5, -1, 2]);
    expect([...postgres.embeddings.passages()].length).toBe(postgres.totalPassages());
  });

  it("reconnects when the server drops its connection, and says so when that happens inside a write", async () => {
    const question = "what did the vice minister say about wastewater?";
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    // This store's own connection, and no other test's: its server process id, asked through the store.
    const connection = (postgres as unknown as { sql: { get<T>(q: string): T | undefined } }).sql;
    const dropConnections = () => {
      const pid = connection.get<{ pid: number }>("SELECT pg_backend_pid() AS pid")?.pid;
      return admin.query("SELECT pg_terminate_backend($1)", [pid]);
    };
    try {
      await dropConnections();
      // The first read after the drop may fail with the server's words; the next one is served on a new connection.
      let answer = await ask({ store: postgres, synonyms: SYNONYMS }, question).catch((e: Error) => e);
      if (answer instanceof Error) {
        expect(answer.message).toMatch(/PostgreSQL at .*(terminat|connection)/i);
        answer = await ask({ store: postgres, synonyms: SYNONYMS }, question);
      }
      expect(answer.quotes[0]?.text).toMatch(/wastewater/);
      const before = postgres.stats().articles;
      await expect(
        postgres.transactionAsync(async () => {
          postgres.upsertArticle(newsArticle("lost-1", "Lost", "Wastewater written before the drop."));
          await dropConnections();
          postgres.upsertArticle(newsArticle("lost-2", "Lost", "Wastewater written after the drop."));
        }),
      ).rejects.toThrow(/PostgreSQL at/);
      expect(postgres.stats().articles).toBe(before);
      expect(postgres.getArticle("lost-1")).toBeNull();
    } finally {
      await admin.end();
    }
  });

  it("a process killed in the middle of an ingest leaves the previous index whole, and the next ingest proceeds", async () => {
    const before = postgres.stats();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        `import("./src/index/store.ts").then(async ({ IndexStore }) => {
          const store = new IndexStore(${JSON.stringify(url)});
          await store.transactionAsync(async () => {
            for (let i = 0; i < 40; i++)
              store.upsertArticle({ id: "crash-" + i, url: null, title: "Crash " + i, site: null, publishedAt: null,
                author: null, text: "Wastewater crash test paragraph number " + i + ".", fetchedAt: "", source: "crash" });
            console.log("writing");
            await new Promise(() => {});
          });
        });`,
      ],
      { cwd: path.resolve(FIXTURES, "../.."), stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("writing")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`the writer exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const after = postgres.stats();
    expect(after.articles).toBe(before.articles);
    expect(postgres.getArticle("crash-1")).toBeNull();
    // The dead writer's lock went with its connection: this ingest does not wait for it.
    postgres.upsertArticle(newsArticle("after-crash", "After", "Wastewater after the crash."));
    expect(postgres.stats().articles).toBe(before.articles + 1);
  }, 30_000);
});

describe.skipIf(!SERVER)("PostgreSQL index: opening, migrations and failures", () => {
  let url: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ url, drop } = await freshSchema());
  });
  afterAll(async () => {
    await drop();
  });

  it("migrates once, records each step, and refuses a schema from a newer Verbatim", async () => {
    const store = new IndexStore(url);
    store.close();
    const again = new IndexStore(url);
    again.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual([1]);
    await c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')");
    await c.end();
    expect(() => new IndexStore(url)).toThrow(/newer Verbatim \(schema 99/);
  });

  it("ingest --from moves an SQLite index into PostgreSQL whole: numbers, sources, feeds and vectors; migrate reports", async () => {
    const { dir, cleanup } = tempDir();
    const { url: target, drop: dropTarget } = await freshSchema();
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (_: string) => {} };
    const file = path.join(dir, "index.sqlite");
    try {
      const source = new IndexStore(file);
      await ingestPaths(source, [CORPUS]);
      source.feeds.add("https://feeds.example.com/rss", 45, "admin");
      const [first] = source.articlesInSeq(0, 1000);
      source.feeds.record("https://feeds.example.com/rss", "g1", "https://x.example.com/1", first ?? "");
      source.embeddings.put("test-model", "h1", new Float32Array([1, 2, 3]));
      const order = source.articlesInSeq(0, 1000);
      const before = {
        stats: source.stats(),
        sources: source.sources.all().sort(),
        newest: source.committedSeq(),
      };
      source.close();

      const env = { INDEX_URL: target, LOG_LEVEL: "silent" };
      expect(await runCli(["ingest", "--from", `sqlite://${file}`], io, env)).toBe(0);
      expect(out.at(-1)).toMatch(/Copied \d+ article\(s\) .* 1 feed\(s\) with 1 item\(s\) and 1 vector\(s\)/);
      const copy = new IndexStore(target);
      try {
        expect(copy.stats().articles).toBe(before.stats.articles);
        expect(copy.totalPassages()).toBe(before.stats.passages);
        expect(copy.committedSeq()).toBe(before.newest);
        expect(copy.articlesInSeq(0, 1000)).toEqual(order);
        expect(copy.sources.all().sort()).toEqual(before.sources);
        expect(copy.feeds.get("https://feeds.example.com/rss")?.intervalMinutes).toBe(45);
        expect(copy.feeds.seen("https://feeds.example.com/rss", "g1", null)).toBe(true);
        expect(copy.embeddings.count("test-model")).toBe(1);
      } finally {
        copy.close();
      }
      // A second copy would renumber articles under digests' feet: refused, and nothing changes.
      const errors: string[] = [];
      expect(
        await runCli(["ingest", "--from", file], { out: () => {}, err: (t) => errors.push(t) }, env),
      ).not.toBe(0);
      expect(errors.join("\n")).toMatch(/already holds \d+ article\(s\): copy into an empty index/);
      expect(await runCli(["migrate"], io, env)).toBe(0);
      expect(out.join("\n")).toMatch(
        /PostgreSQL index at .*: schema 1, up to date[\s\S]*1\. articles, passages/,
      );
    } finally {
      cleanup();
      await dropTarget();
    }
  }, 60_000);

  it("the CLI ingests into, answers from and evaluates against INDEX_URL", async () => {
    const { url: own, drop: dropOwn } = await freshSchema();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    const env = { INDEX_URL: own, DATA_DIR: CORPUS, LOG_LEVEL: "silent" };
    try {
      expect(await runCli(["ingest"], io, env)).toBe(0);
      expect(
        await runCli(["ask", "--json", "what did the vice minister say about wastewater?"], io, env),
      ).toBe(0);
      const answer = JSON.parse(out.at(-1) ?? "{}");
      expect(answer.quotes[0].text).toMatch(/wastewater/);
      expect(await runCli(["stats"], io, env)).toBe(0);
      expect(out.at(-1)).not.toMatch(/:\/\/[^@\s]*:[^*@\s]+@/);
      const set = path.join(FIXTURES, "eval");
      const evalArgs = [
        "eval",
        "--json",
        "--docs",
        `${set}/docs.jsonl`,
        "--questions",
        `${set}/questions.jsonl`,
        "--qrels",
        `${set}/qrels.tsv`,
      ];
      const { url: empty, drop: dropEmpty } = await freshSchema();
      expect(await runCli([...evalArgs, "--index", empty], io, env).finally(dropEmpty)).toBe(0);
      const onPostgres = JSON.parse(out.at(-1) ?? "{}");
      expect(await runCli(evalArgs, io, env)).toBe(0);
      const onSqlite = JSON.parse(out.at(-1) ?? "{}");
      for (const key of ["recall@1", "recall@5", "mrr@10", "ndcg@10", "answerInQuotes@1", "answerInQuotes@3"])
        expect(onPostgres[key]).toBeCloseTo(onSqlite[key], 2);
    } finally {
      await dropOwn();
    }
  }, 60_000);
});

// These need no server: they check what a user sees when the server is not there or the address is wrong.
describe("PostgreSQL index: bad addresses", () => {
  it("names an unreachable server without its password, from the store and from the CLI", async () => {
    expect(() => new IndexStore("postgres://verbatim:s3cret@127.0.0.1:1/nowhere")).toThrow(
      /Cannot reach PostgreSQL at postgres:\/\/verbatim:\*\*\*@127\.0\.0\.1:1\/nowhere \(ECONNREFUSED\)/,
    );
    const err: string[] = [];
    const env = { INDEX_URL: "postgres://verbatim:s3cret@127.0.0.1:1/nowhere", LOG_LEVEL: "silent" };
    expect(await runCli(["ask", "wastewater?"], { out: () => {}, err: (t) => err.push(t) }, env)).not.toBe(0);
    expect(err.join("\n")).toMatch(
      /Cannot reach PostgreSQL at .*127\.0\.0\.1:1.*start the server, or check INDEX_URL/,
    );
    expect(err.join("\n")).not.toMatch(/s3cret/);
  });

  it("rejects an INDEX_URL that is not a postgres:// address, by name", async () => {
    const err: string[] = [];
    const code = await runCli(
      ["stats"],
      { out: () => {}, err: (t) => err.push(t) },
      { INDEX_URL: "mysql://db" },
    );
    expect(code).not.toBe(0);
    expect(err.join("\n")).toMatch(/INDEX_URL is invalid: must be a postgres:\/\/ address/);
  });
});
