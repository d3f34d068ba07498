import { createHash, randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { indexProblem } from "../src/index/sqlite/database.js";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths } from "../src/ingest/files.js";
import { startBot } from "./fake-discord/bot-process.js";
import { TOKEN } from "./fake-discord/in-process.js";
import { CORPUS, tempDir } from "./helpers.js";

let dir: string;
let cleanup: () => void;
let index: string;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  index = path.join(dir, "index.sqlite");
});
afterEach(() => cleanup());

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { INDEX_PATH: index, DATA_DIR: CORPUS, LOG_LEVEL: "silent" };
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, env);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A real index of the fixture corpus, folded into one file. */
async function realIndex(): Promise<void> {
  const store = new IndexStore(index);
  await ingestPaths(store, [CORPUS]);
  store.checkpoint();
  store.close();
}

describe("a damaged index is named, explained and left as it is", () => {
  it("a file of random bytes", async () => {
    writeFileSync(index, randomBytes(64 * 1024));
    const before = digest(index);
    for (const args of [["ask", "what did the vice minister say?"], ["stats"], ["ingest"]]) {
      const run = await cli(...args);
      expect(run.code, args.join(" ")).toBe(1);
      expect(run.err).toMatch(/index.sqlite is not an SQLite database .*run `npm run ingest`/);
      expect(run.err).not.toMatch(/\n\s+at /);
    }
    expect(digest(index)).toBe(before);
  });

  it("a truncated file", async () => {
    await realIndex();
    truncateSync(index, Math.floor(statSync(index).size / 2));
    const before = digest(index);
    const stats = await cli("stats");
    expect(stats.code).toBe(1);
    expect(stats.err).toMatch(/index.sqlite is damaged .*It was left as it is\./);
    const ask = await cli("ask", "what did the vice minister say about wastewater?");
    expect(ask.code).toBe(1);
    expect(ask.err).toMatch(/index.sqlite is (damaged|not an SQLite database)/);
    expect(ask.err).not.toMatch(/\n\s+at /);
    expect(digest(index)).toBe(before);
  });

  it("the bot refuses to start on a damaged index, saying why, before going online", async () => {
    writeFileSync(index, randomBytes(64 * 1024));
    const bot = startBot({
      DISCORD_TOKEN: TOKEN,
      DISCORD_API_URL: "http://127.0.0.1:9/api",
      INDEX_PATH: index,
      DATA_DIR: CORPUS,
      LOG_LEVEL: "silent",
    });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toMatch(/index.sqlite is not an SQLite database/);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
  }, 30_000);

  it("a zero-length file", async () => {
    writeFileSync(index, "");
    const run = await cli("ask", "harbor");
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/index.sqlite is an empty file \(0 bytes\)/);
    expect(statSync(index).size).toBe(0);
  });

  it("a read-only index says what permission is missing", () => {
    let error: unknown;
    try {
      // The same SQLite error a read-only file gives: a write through a read-only connection.
      const file = path.join(dir, "ro.sqlite");
      new Database(file).exec("CREATE TABLE t(x)");
      const readOnly = new Database(file, { readonly: true });
      readOnly.exec("INSERT INTO t VALUES (1)");
    } catch (e) {
      error = e;
    }
    expect(indexProblem(error, "/srv/index.sqlite")?.message).toMatch(
      /^The index at \/srv\/index.sqlite cannot be written .*give this user write access to the file and its folder/,
    );
  });

  it.skipIf(process.getuid?.() === 0)("a read-only index file, through the CLI (not as root)", async () => {
    await realIndex();
    chmodSync(index, 0o444);
    chmodSync(dir, 0o555);
    try {
      const run = await cli("ingest", CORPUS);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/cannot be written/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it("a full disk during ingest rolls back and says so", () => {
    const file = path.join(dir, "full.sqlite");
    const db = new Database(file);
    db.exec("CREATE TABLE t(x)");
    // SQLite's own limit on pages gives the very error a full disk does.
    db.pragma("max_page_count = 2");
    let error: unknown;
    try {
      db.transaction(() => {
        for (let i = 0; i < 1000; i++) db.prepare("INSERT INTO t VALUES (?)").run("x".repeat(1000));
      })();
    } catch (e) {
      error = e;
    }
    expect((error as { code?: string }).code).toBe("SQLITE_FULL");
    expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 0 });
    db.close();
    expect(indexProblem(error, file)?.message).toMatch(
      /disk holding the index .* is full: the change was rolled back and the index is as it was\. Free some space/,
    );
  });
});

describe("write settings", () => {
  it("FTS5 flushes its pending terms every 16 MB, on a new index and on one from before the setting", () => {
    const hashsize = () => {
      const db = new Database(index, { readonly: true });
      const row = db.prepare("SELECT v FROM passage_fts_config WHERE k = 'hashsize'").get() as { v: number };
      db.close();
      return row?.v;
    };
    new IndexStore(index).close();
    expect(hashsize()).toBe(16 * 1024 * 1024);
    const db = new Database(index);
    // An index from before the setting had FTS5's default, 1 MB.
    db.exec(`INSERT INTO passage_fts(passage_fts, rank) VALUES('hashsize', ${1024 * 1024})`);
    db.close();
    expect(hashsize()).toBe(1024 * 1024);
    new IndexStore(index).close();
    expect(hashsize()).toBe(16 * 1024 * 1024);
  });
});
