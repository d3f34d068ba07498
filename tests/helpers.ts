import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { expect } from "vitest";
import { type AnswerOptions, createAnswerer } from "../src/answer/answerer.js";
import { createSubscriptionStore, newSubscription } from "../src/digest/subscriptions.js";
import { inSchema } from "../src/index/location.js";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths } from "../src/ingest/files.js";
import { openState } from "../src/state/state.js";
import { loadSynonyms, type SynonymMap } from "../src/text/lexicon.js";
import type { Answer, Article } from "../src/types.js";

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

/** Ask through the one answer pipeline every door uses, extractively (no model), with at most `maxQuotes` quotes. */
export function ask(
  corpus: { store: IndexStore; synonyms?: SynonymMap },
  question: string,
  options: AnswerOptions & { maxQuotes?: number } = {},
): Promise<Answer> {
  const { maxQuotes, ...rest } = options;
  const answerer = createAnswerer({
    corpus: { store: corpus.store, synonyms: corpus.synonyms ?? new Map() },
    config: { maxQuotes },
  });
  return answerer.answer(question, rest);
}

/** A news article for tests: its id names its URL and source; the rest can be overridden. */
export function newsArticle(id: string, title: string, text: string, over: Partial<Article> = {}): Article {
  return {
    id,
    url: `https://news.example.com/${id}`,
    title,
    site: "Example News",
    publishedAt: "2026-11-26",
    author: null,
    text,
    fetchedAt: new Date().toISOString(),
    source: id,
    ...over,
  };
}

/** The environment of a bot process started against a fake Discord: a fresh index, the fixture corpus. */
export function botEnv(apiUrl: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    DISCORD_API_URL: apiUrl,
    INDEX_PATH: path.join(tempDir().dir, "i.sqlite"),
    DATA_DIR: CORPUS,
    ...over,
  };
}

/** Save a daily digest subscription whose slot passed three days ago while nothing ran: due at once. */
export async function saveDueDigest(
  stateUrl: string,
  where: { guildId: string; channelId: string },
  options: { seq: number; max: number },
): Promise<void> {
  const state = await openState(stateUrl);
  try {
    const sub = newSubscription(
      {
        ...where,
        schedule: { kind: "daily", time: "00:00", timezone: "UTC", days: null },
        topic: null,
        max: options.max,
        postEmpty: false,
        createdBy: "1400000000000000050",
      },
      new Date(Date.now() - 3 * 86_400_000),
      options.seq,
    );
    await createSubscriptionStore(state.ns("subscriptions")).save(sub);
  } finally {
    await state.close();
  }
}

/** A schema of its own for one test, and the index address that uses it; dropped afterwards. */
export async function freshSchema(
  server = process.env.TEST_DATABASE_URL ?? "",
  prefix = "verbatim_test",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `${prefix}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  return {
    url: inSchema(server, schema),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

/**
 * A transaction that fails writes none of its full-text rows, neither then nor at the next commit, and an inner one
 * that fails drops only its own: the same check for every index backend.
 */
export function expectFailedWritesLeaveNoRows(store: IndexStore): void {
  const before = store.stats().articles;
  const failing = (id: string, text: string, error: string) => () =>
    store.transaction(() => {
      store.upsertArticle(newsArticle(id, id, text));
      throw new Error(error);
    });
  expect(failing("ghost", "The zeppelin hangar reopened.", "disk full")).toThrow("disk full");
  store.transaction(() => {
    store.upsertArticle(newsArticle("outer", "Outer", "The tram depot expanded."));
    expect(failing("inner", "The glacier museum opened.", "bad article")).toThrow("bad article");
  });
  expect(store.stats().articles).toBe(before + 1);
  const count = (word: string) => store.countMatches({ terms: [[word]], mode: "or" });
  expect([count("tram"), count("zeppelin"), count("glacier")]).toEqual([1, 0, 0]);
}
