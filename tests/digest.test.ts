import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildDigest, digestArticleIds, keywordFilter } from "../src/digest/build.js";
import { type DigestSender, MAX_FAILURES, runSubscription } from "../src/digest/delivery.js";
import { nextRun, parseDays, readScheduleRequest, scheduleProblem } from "../src/digest/schedule.js";
import { DigestScheduler, dueAt } from "../src/digest/scheduler.js";
import { createSubscriptionStore, newSubscription, type Subscription } from "../src/digest/subscriptions.js";
import { summarize } from "../src/digest/summarize.js";
import { embedLength, LIMITS } from "../src/discord/limits.js";
import { renderDigest } from "../src/discord/render-digest.js";
import { chunkArticle } from "../src/index/chunk.js";
import { IndexStore } from "../src/index/store.js";
import { createLogger } from "../src/log.js";
import { openState, type State } from "../src/state/state.js";
import type { Article } from "../src/types.js";
import { SYNONYMS, tempDir } from "./helpers.js";

const log = createLogger("silent");

describe("schedules", () => {
  it("keeps 08:00 local across the spring DST change in Berlin", () => {
    const s = { kind: "daily", time: "08:00", timezone: "Europe/Berlin", days: null } as const;
    expect(nextRun(s, new Date("2026-03-28T12:00:00Z"))?.toISOString()).toBe("2026-03-29T06:00:00.000Z");
    expect(nextRun(s, new Date("2026-03-27T12:00:00Z"))?.toISOString()).toBe("2026-03-28T07:00:00.000Z");
    expect(nextRun(s, new Date("2026-10-24T12:00:00Z"))?.toISOString()).toBe("2026-10-25T07:00:00.000Z");
  });

  it("follows two time zones independently, and days of the week", () => {
    const ny = { kind: "daily", time: "08:00", timezone: "America/New_York", days: [1, 3, 5] } as const;
    const tokyo = { kind: "daily", time: "08:00", timezone: "Asia/Tokyo", days: null } as const;
    const after = new Date("2026-11-27T00:00:00Z"); // a Friday
    expect(nextRun(ny, after)?.toISOString()).toBe("2026-11-27T13:00:00.000Z");
    expect(nextRun(ny, new Date("2026-11-27T14:00:00Z"))?.toISOString()).toBe("2026-11-30T13:00:00.000Z");
    expect(nextRun(tokyo, after)?.toISOString()).toBe("2026-11-27T23:00:00.000Z");
  });

  it("explains bad input", () => {
    expect(scheduleProblem({ kind: "daily", time: "25:00", timezone: "UTC", days: null })).toMatch(
      /not a time of day/,
    );
    expect(scheduleProblem({ kind: "daily", time: "08:00", timezone: "Mars/Olympus", days: null })).toMatch(
      /not a time zone/,
    );
    expect(scheduleProblem({ kind: "cron", cron: "every tuesday", timezone: "UTC" })).toMatch(
      /not a schedule/,
    );
    expect(parseDays("mon,wed,fri")).toEqual([1, 3, 5]);
    expect(parseDays("weekdays")).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays("mon,funday")).toEqual({ error: expect.stringMatching(/"funday" is not a day/) });
  });

  it("reads what a subscriber typed into a schedule and a topic, or says what is wrong", () => {
    const typed = {
      time: "08:00",
      cron: null,
      timezone: "Europe/Berlin",
      days: "weekdays",
      topic: " lighthouse ",
    };
    expect(readScheduleRequest(typed)).toEqual({
      schedule: { kind: "daily", time: "08:00", timezone: "Europe/Berlin", days: [1, 2, 3, 4, 5] },
      topic: "lighthouse",
    });
    expect(readScheduleRequest({ ...typed, timezone: null, cron: "0 7 * * 1" })).toEqual({
      schedule: { kind: "cron", cron: "0 7 * * 1", timezone: "UTC" },
      topic: "lighthouse",
    });
    expect(readScheduleRequest({ ...typed, topic: "  " })).toEqual({
      problem: expect.stringMatching(/topic is empty/),
    });
    expect(readScheduleRequest({ ...typed, time: null })).toEqual({
      problem: expect.stringMatching(/Give a `time`/),
    });
    expect(readScheduleRequest({ ...typed, days: "caturday" })).toEqual({
      problem: expect.stringMatching(/"caturday" is not a day/),
    });
    expect(readScheduleRequest({ ...typed, time: "25:00" })).toEqual({
      problem: expect.stringMatching(/not a time of day.*Nothing was saved\.$/),
    });
  });
});

const article = (id: string, title: string, text: string, published = "2026-11-20"): Article => ({
  id,
  url: `https://news.example.com/${id}`,
  title,
  site: "Example",
  publishedAt: published,
  author: null,
  text,
  fetchedAt: "2026-11-20T00:00:00Z",
  source: id,
});

describe("summaries", () => {
  it("quote the sentences most central to the article, verbatim and in order", () => {
    const text =
      "The weather was mild on Tuesday. The city council approved the harbor budget after a long debate about the harbor. Council members said the harbor budget will pay for dredging the harbor channel. A bakery opened nearby.";
    const a = article("h", "Harbor budget", text);
    const quotes = summarize(a, chunkArticle(a.id, a.text), () => 1);
    expect(quotes.length).toBeGreaterThanOrEqual(1);
    expect(quotes.map((q) => q.text).join(" ")).toContain("harbor budget");
    expect(quotes.some((q) => q.text.startsWith("The weather"))).toBe(false);
    for (const q of quotes) expect(text.slice(q.start, q.end)).toBe(q.text);
  });
});

describe("summaries of the seed article", () => {
  it("quote the sentence that says what the headline says, not the longest list", async () => {
    const { loadFile } = await import("../src/corpus/load.js");
    const { SEED } = await import("./helpers.js");
    const [seed] = (await loadFile(SEED)).articles;
    if (!seed) throw new Error("seed missing");
    const quotes = summarize(seed, chunkArticle(seed.id, seed.text), () => 1);
    expect(quotes[0]?.text).toMatch(
      /^Wang Jiangping, Vice Minister .* has generally entered a healthy development track/,
    );
    expect(quotes.some((q) => q.text.startsWith("Face-to-face work"))).toBe(false);
  });
});

describe("delivery, exactly once", () => {
  let dir: string;
  let cleanup: () => void;
  let store: IndexStore;
  let state: State;
  let sent: { nonce: string; ids: string[]; parts: number[] }[];
  let channel: Map<string, Set<number>>;
  let failNext: Error | null;
  let crashAfterSend: boolean;
  let dms: string[];
  let clock: Date;

  const sender: DigestSender = {
    async deliver(_sub, digest, nonce, skip) {
      if (failNext) throw failNext;
      const parts = renderDigest(digest, { nonce }).length;
      const posted: number[] = [];
      for (let p = 1; p <= parts; p++) {
        if (skip.has(p)) continue;
        posted.push(p);
        if (!channel.has(nonce)) channel.set(nonce, new Set());
        channel.get(nonce)?.add(p);
      }
      sent.push({ nonce, ids: digest.items.map((i) => i.article.id), parts: posted });
      if (crashAfterSend) throw new Error("process crashed after sending");
      return { parts };
    },
    async anchor() {
      return "0";
    },
    async delivered(_sub, nonce) {
      return new Set(channel.get(nonce) ?? []);
    },
    async notifyPaused(sub, reason) {
      dms.push(`${sub.createdBy}: paused after ${sub.failures} failures in a row (${reason})`);
    },
    explain(error) {
      return { reason: (error as Error).message, permanent: false };
    },
  };

  const subscription = (over: Partial<Subscription> = {}): Subscription => ({
    ...newSubscription(
      {
        guildId: "g",
        channelId: "c",
        schedule: { kind: "daily", time: "08:00", timezone: "Europe/Berlin", days: null },
        topic: null,
        max: 10,
        postEmpty: false,
        createdBy: "u",
      },
      new Date("2026-11-01T00:00:00Z"),
    ),
    id: "s1",
    ...over,
  });

  const add = (id: string, title: string, text: string, at: string) =>
    store.upsertArticle(article(id, title, text), at);

  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    store = new IndexStore(":memory:");
    state = await openState(`sqlite://${path.join(dir, "state.sqlite")}`);
    sent = [];
    channel = new Map();
    failNext = null;
    crashAfterSend = false;
    dms = [];
    clock = new Date("2026-11-02T07:00:00Z");
  });
  afterEach(async () => {
    await state.close();
    store.close();
    cleanup();
  });

  const deps = () => ({
    store,
    synonyms: SYNONYMS,
    subscriptions: createSubscriptionStore(state.ns("subscriptions")),
    sender,
    log,
  });

  it("posts each new article once, and nothing when nothing is new", async () => {
    add(
      "a1",
      "Harbor dredging approved",
      "The council approved dredging the harbor channel.",
      "2026-11-01T10:00:00Z",
    );
    const d = deps();
    await d.subscriptions.save(subscription());
    const first = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-02T07:00:00Z"),
    );
    expect(first.posted).toBe(1);
    add("a2", "Rail strike ends", "Train drivers returned to work on Monday.", "2026-11-02T09:00:00Z");
    const second = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-03T07:00:00Z"),
    );
    expect(second.posted).toBe(1);
    expect(sent.map((s) => s.ids)).toEqual([["a1"], ["a2"]]);
    const third = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-04T07:00:00Z"),
    );
    expect(third).toMatchObject({ posted: 0, nothingNew: true });
    expect(sent).toHaveLength(2);
  });

  it("does not post an updated article again", async () => {
    add("a1", "Harbor", "The council approved dredging.", "2026-11-01T10:00:00Z");
    const d = deps();
    await d.subscriptions.save(subscription());
    await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-02T07:00:00Z"),
    );
    add("a1", "Harbor", "The council approved dredging, and the port agreed.", "2026-11-02T10:00:00Z");
    const again = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-03T07:00:00Z"),
    );
    expect(again.posted).toBe(0);
  });

  it("a restart between sending and recording does not post twice, and skips nothing", async () => {
    add("a1", "Harbor", "The council approved dredging the harbor channel.", "2026-11-01T10:00:00Z");
    const d = deps();
    await d.subscriptions.save(subscription());
    crashAfterSend = true;
    await expect(
      runSubscription(d, (await d.subscriptions.get("s1")) as Subscription, new Date("2026-11-02T07:00:00Z")),
    ).rejects.toThrow(/crashed/);
    crashAfterSend = false;
    const afterCrash = (await d.subscriptions.get("s1")) as Subscription;
    expect(afterCrash.pending?.articleIds).toEqual(["a1"]);
    expect(dueAt(afterCrash)?.getTime()).toBe(0);
    add("a2", "Rail", "Train drivers returned to work.", "2026-11-02T08:00:00Z");
    // On start-up the pending digest is reconciled: Discord already has it, so nothing is re-sent.
    const scheduler = new DigestScheduler(d, () => new Date("2026-11-02T09:00:00Z"));
    await scheduler.tick();
    expect(sent.map((s) => s.parts.length)).toEqual([1, 0]);
    // The article that arrived meanwhile comes in the next digest.
    const next = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-03T07:00:00Z"),
    );
    expect(next.posted).toBe(1);
    expect(sent.flatMap((s) => s.ids)).toEqual(["a1", "a1", "a2"]);
    expect(sent.filter((s) => s.parts.length > 0).flatMap((s) => s.ids)).toEqual(["a1", "a2"]);
  });

  it("a digest run while this process's own ingest is still open waits for its commit, and then posts it", async () => {
    const d = deps();
    await d.subscriptions.save(subscription());
    let commit: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const ingest = store.transactionAsync(async () => {
      add("a1", "Harbor", "The council approved dredging.", "2026-11-01T10:00:00Z");
      await gate;
    });
    const during = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-02T07:00:00Z"),
    );
    expect(during).toMatchObject({ posted: 0, nothingNew: true });
    commit();
    await ingest;
    const after = await runSubscription(
      d,
      (await d.subscriptions.get("s1")) as Subscription,
      new Date("2026-11-02T07:01:00Z"),
    );
    expect(after.posted).toBe(1);
    expect(sent.map((x) => x.ids)).toEqual([["a1"]]);
  });

  it("a subscription saved before articles were numbered counts what is new from its cutoff time", async () => {
    add("old", "Harbor", "The council approved dredging.", "2026-10-31T10:00:00Z");
    add("new", "Rail", "Train drivers returned to work.", "2026-11-01T10:00:00Z");
    const d = deps();
    const legacy = subscription();
    delete legacy.cutoffSeq;
    await d.subscriptions.save(legacy);
    const run = await runSubscription(d, legacy, new Date("2026-11-02T07:00:00Z"));
    expect(run.posted).toBe(1);
    expect(sent.map((x) => x.ids)).toEqual([["new"]]);
    expect((await d.subscriptions.get("s1"))?.cutoffSeq).toBe(2);
  });

  it("a failed send keeps the window for the retry, backs off, pauses after 5 failures and tells the subscriber once", async () => {
    add("a1", "Harbor", "The council approved dredging.", "2026-11-01T10:00:00Z");
    const d = deps();
    await d.subscriptions.save(subscription());
    failNext = new Error("I lack a permission in the channel");
    let now = new Date("2026-11-02T07:00:00Z");
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      await runSubscription(d, (await d.subscriptions.get("s1")) as Subscription, now).catch(() => undefined);
      now = new Date(now.getTime() + 3_600_000);
    }
    const sub = (await d.subscriptions.get("s1")) as Subscription;
    expect(sub.paused).toBe(true);
    expect(sub.lastResult).toMatchObject({ ok: false, detail: "I lack a permission in the channel" });
    expect(dms).toHaveLength(1);
    expect(dms[0]).toMatch(/paused after 5 failures in a row/);
    expect(dueAt(sub)).toBeNull();
    expect(sub.cutoff).toBe("2026-11-01T00:00:00.000Z");
  });

  it("catches up after downtime with one digest covering the whole gap", async () => {
    const d = deps();
    await d.subscriptions.save(
      subscription({ lastRunAt: "2026-11-02T07:00:00Z", cutoff: "2026-11-02T07:00:00Z" }),
    );
    for (const [i, day] of ["03", "04", "05"].entries())
      add(`a${i}`, `Story ${i}`, `Story number ${i} happened.`, `2026-11-${day}T10:00:00Z`);
    const scheduler = new DigestScheduler(d, () => clock);
    clock = new Date("2026-11-06T09:00:00Z"); // down since the 2nd: three slots missed
    expect(await scheduler.tick()).toEqual(["s1"]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.ids.sort()).toEqual(["a0", "a1", "a2"]);
    expect(await scheduler.tick()).toEqual([]);
    clock = new Date("2026-11-07T07:00:00Z"); // the next slot
    expect(await scheduler.tick()).toEqual(["s1"]);
  });

  it("never runs one subscription twice at the same time", async () => {
    add("a1", "Harbor", "The council approved dredging.", "2026-11-01T10:00:00Z");
    const d = deps();
    await d.subscriptions.save(subscription());
    const scheduler = new DigestScheduler(d, () => clock);
    const sub = (await d.subscriptions.get("s1")) as Subscription;
    await Promise.all([scheduler.run(sub), scheduler.run(sub), scheduler.tick()]);
    expect(sent).toHaveLength(1);
  });

  it("filters by topic", () => {
    add(
      "a1",
      "Harbor dredging approved",
      "The council approved dredging the harbor channel.",
      "2026-11-01T10:00:00Z",
    );
    add("a2", "Rail strike ends", "Train drivers returned to work.", "2026-11-01T11:00:00Z");
    const window = { after: "2026-11-01T00:00:00Z", until: "2026-11-02T00:00:00Z" };
    expect(digestArticleIds(store, window, "harbor", SYNONYMS)).toEqual(["a1"]);
    expect(digestArticleIds(store, window, null).sort()).toEqual(["a1", "a2"]);
    expect(digestArticleIds(store, window, "submarine")).toEqual([]);
  });

  it("keeps articles with one include word and none of the exclude words, whole words in title or text", () => {
    add(
      "a1",
      "Harbor dredging approved",
      "The council approved dredging the harbor channel.",
      "2026-11-01T10:00:00Z",
    );
    add("a2", "Rail strike ends", "Train drivers returned to work at the harbor.", "2026-11-01T11:00:00Z");
    add("a3", "Harbour festival", "Boats and music at the old port.", "2026-11-01T12:00:00Z");
    const ids = ["a1", "a2", "a3"];
    expect(keywordFilter(store, ids, { include: ["harbor"] })).toEqual(["a1", "a2"]);
    expect(keywordFilter(store, ids, { include: ["harbor", "Harbour"], exclude: ["rail strike"] })).toEqual([
      "a1",
      "a3",
    ]);
    // "harbo" is not a word of any article: whole words only.
    expect(keywordFilter(store, ids, { include: ["harbo"] })).toEqual([]);
    expect(keywordFilter(store, ids, {})).toEqual(ids);
  });
});

describe("digest rendering", () => {
  it("splits a big digest into several messages within every limit, each with its marker, mentions off", () => {
    const store = new IndexStore(":memory:");
    const long =
      "The harbour authority said the new budget will pay for dredging and repairs to the old pier. ".repeat(
        12,
      );
    for (let i = 0; i < 30; i++)
      store.upsertArticle(
        article(`a${i}`, `${"Very long headline ".repeat(10)}${i}`, long),
        `2026-11-01T10:${String(i).padStart(2, "0")}:00Z`,
      );
    const ids = store.articlesFirstSeen("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z");
    const digest = buildDigest(store, ids, 25);
    const messages = renderDigest(digest, { nonce: "abc" });
    expect(messages.length).toBeGreaterThan(1);
    messages.forEach((m, i) => {
      expect(m.allowedMentions).toEqual({ parse: [] });
      expect(m.embeds.length).toBeLessThanOrEqual(LIMITS.embedsPerMessage);
      const total = m.embeds.reduce((n, e) => n + embedLength(e as Parameters<typeof embedLength>[0]), 0);
      expect(total).toBeLessThanOrEqual(LIMITS.embedTotal);
      for (const e of m.embeds)
        expect(e.description?.length ?? 0).toBeLessThanOrEqual(LIMITS.embedDescription);
      expect(m.embeds[m.embeds.length - 1]?.footer?.text).toBe(
        `digest abc · part ${i + 1}/${messages.length}`,
      );
    });
    expect(messages.at(-1)?.embeds.at(-1)?.description).toMatch(/…and 5 more\./);
    store.close();
  });
});
