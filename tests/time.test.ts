import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnswerer } from "../src/answer/answerer.js";
import { runCli } from "../src/cli.js";
import { inWindow, sourceMatches } from "../src/index/filters.js";
import { IndexStore } from "../src/index/store.js";
import { ageNote } from "../src/render/citation.js";
import { canonicalTimeZone, readTime, wallClock, windowFromOptions } from "../src/search/time-window.js";
import type { Article } from "../src/types.js";
import { SYNONYMS, tempDir } from "./helpers.js";

const AS_OF = new Date("2026-11-27T12:00:00Z"); // a Friday

describe("reading time in a question", () => {
  const cases: [string, { from: string; to: string } | null, string][] = [
    [
      "what did the minister say about wastewater last month?",
      { from: "2026-10-01", to: "2026-11-01" },
      "what did the minister say about wastewater ?",
    ],
    ["what happened in March 2023", { from: "2023-03-01", to: "2023-04-01" }, "what happened"],
    // chrono reads "Monday" and "March 3" forwards; a question about the news means the last one.
    ["harbor news since Monday", { from: "2026-11-23", to: "2026-11-28" }, "harbor news"],
    ["harbor news since March 3", { from: "2026-03-03", to: "2026-11-28" }, "harbor news"],
    // chrono finds only "5 November" here: the first day borrows its month.
    ["harbor news between 1 and 5 November", { from: "2026-11-01", to: "2026-11-06" }, "harbor news"],
    [
      "what did the council decide yesterday?",
      { from: "2026-11-26", to: "2026-11-27" },
      "what did the council decide ?",
    ],
    // "last week" is a range (chrono makes it an instant): Monday to Sunday before this week.
    ["rail strike last week", { from: "2026-11-16", to: "2026-11-23" }, "rail strike"],
    ["who won the election in 2021?", { from: "2021-01-01", to: "2022-01-01" }, "who won the election ?"],
    ["harbor news in the past 7 days", { from: "2026-11-21", to: "2026-11-28" }, "harbor news"],
    // A year used as a name, a number that is not a date, and a future year are not windows.
    ["the 2020 election results", null, "the 2020 election results"],
    ["Who won Super Bowl 50?", null, "Who won Super Bowl 50?"],
    ["plans for a harbor in 2030", null, "plans for a harbor in 2030"],
  ];
  for (const [question, window, rest] of cases) {
    it(`${JSON.stringify(question)} → ${window ? `${window.from} … ${window.to}` : "no window"}`, () => {
      const reading = readTime(question, AS_OF);
      expect(reading.window ? { from: reading.window.from, to: reading.window.to } : null).toEqual(window);
      expect(reading.rest).toBe(rest);
    });
  }

  it("names the window for people, and hears a wish for the newest", () => {
    expect(readTime("rail strike last week", AS_OF).window?.label).toBe(
      "last week (16 November 2026 – 22 November 2026)",
    );
    expect(readTime("latest on the rare-earth quotas", AS_OF)).toEqual({
      window: null,
      recency: true,
      rest: "on the rare-earth quotas",
      searchable: "on the rare-earth quotas",
    });
    // Outside its window a question is searched without "last week", but with the dates it names outright.
    expect(readTime("rail strike last week", AS_OF).searchable).toBe("rail strike");
    expect(readTime("Who bought the factory in 2005?", AS_OF).searchable).toBe(
      "Who bought the factory in 2005?",
    );
  });

  it("an answer's source over a year old says how old it is", () => {
    expect(ageNote("2018-09-10", AS_OF)).toBe(" (8 years old)");
    expect(ageNote("2025-11-01T08:00:00Z", AS_OF)).toBe(" (1 year old)");
    expect(ageNote("2026-06-01", AS_OF)).toBe("");
    expect(ageNote(null, AS_OF)).toBe("");
  });

  it("counts days in the asker's time zone, and knows which zones exist", () => {
    // 20:00 UTC on Thursday 26 November is already Friday the 27th in Tokyo, still the 26th in Los Angeles.
    const evening = new Date("2026-11-26T20:00:00Z");
    expect(readTime("harbor news yesterday", evening).window).toMatchObject({ from: "2026-11-25" });
    expect(readTime("harbor news yesterday", evening, "Asia/Tokyo").window).toMatchObject({
      from: "2026-11-26",
      to: "2026-11-27",
    });
    expect(readTime("harbor news since Monday", evening, "America/Los_Angeles").window).toMatchObject({
      from: "2026-11-23",
      to: "2026-11-27",
    });
    expect(windowFromOptions(null, "today", evening, "Asia/Tokyo")).toMatchObject({
      window: { to: "2026-11-28" },
    });
    expect(wallClock(evening, "Asia/Tokyo").toISOString()).toBe("2026-11-27T05:00:00.000Z");
    expect(canonicalTimeZone("europe/paris")).toBe("Europe/Paris");
    expect(canonicalTimeZone("Mars/Olympus")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
  });

  it("reads since / until options, and says what it cannot read", () => {
    expect(windowFromOptions("2026-11-01", "5 November", AS_OF)).toEqual({
      window: { from: "2026-11-01", to: "2026-11-06", label: "between 1 November 2026 and 5 November 2026" },
    });
    expect(windowFromOptions("1 November", null, AS_OF)).toMatchObject({
      window: { from: "2026-11-01", to: "2026-11-28" },
    });
    expect(windowFromOptions("someday", null, AS_OF)).toEqual({
      problem: expect.stringMatching(/"someday" is not a date/),
    });
    expect(windowFromOptions("2026-11-05", "2026-11-01", AS_OF)).toEqual({
      problem: expect.stringMatching(/swap/),
    });
  });
});

describe("answers over articles from several years", () => {
  const t = tempDir();
  let store: IndexStore;
  const article = (id: string, date: string | null, text: string): Article => ({
    id,
    url: `https://news.example.com/${id}`,
    title: "Harbor council decision",
    site: "Example News",
    publishedAt: date,
    author: null,
    text,
    fetchedAt: AS_OF.toISOString(),
    source: id,
  });
  const ask = (question: string, extra = {}) =>
    createAnswerer({ corpus: { store, synonyms: SYNONYMS } }).answer(question, { asOf: AS_OF, ...extra });

  beforeAll(() => {
    store = new IndexStore(path.join(t.dir, "index.sqlite"));
    store.upsertArticle(
      article(
        "h2018",
        "2018-05-02",
        "The harbor council decided to dredge the old channel in 2018, at a cost of 3 million euros.",
      ),
    );
    store.upsertArticle(
      article(
        "h2024",
        "2024-03-14",
        "The harbor council decided to widen the quay, the mayor said on Thursday.",
      ),
    );
    store.upsertArticle(
      article(
        "h2026",
        "2026-11-20",
        "The harbor council decided to close the ferry pier for repairs until spring.",
      ),
    );
    store.upsertArticle(
      article("undated", null, "The harbor council decided nothing about the lighthouse, a member said."),
    );
    store.upsertArticle({
      ...article("gazette", "2025-06-01", "The harbor council decided to sell the old ferry to a museum."),
      url: "https://www.gazette.example.org/ferry",
      site: "The Gazette",
    });
  });
  afterAll(() => {
    store.close();
    t.cleanup();
  });

  it("a question about last week quotes last week's article and says so", async () => {
    const answer = await ask("what did the harbor council decide last week?");
    expect(answer.status).toBe("answered");
    expect(answer.quotes.map((q) => q.article.id)).toEqual(["h2026"]);
    expect(answer.note).toBe("From articles dated last week (16 November 2026 – 22 November 2026).");
  });

  it("a year in the question keeps to that year", async () => {
    const answer = await ask("what did the harbor council decide in 2024?");
    expect(answer.quotes.map((q) => q.article.id)).toEqual(["h2024"]);
  });

  it("'latest' prefers the newest article that answers, without filtering the others out", async () => {
    const answer = await ask("latest harbor council decision");
    expect(answer.quotes[0]?.article.id).toBe("h2026");
  });

  it("nothing in the window: says so, names it, and shows the closest from other dates", async () => {
    const answer = await ask("what did the harbor council decide yesterday?");
    expect(answer.status).toBe("answered");
    expect(answer.note).toBe(
      "Nothing dated yesterday (26 November 2026) answers that; these are the closest, from other dates.",
    );
    expect(answer.quotes.length).toBeGreaterThan(0);
  });

  it("site:host in the question, or a source named, keeps the answer to that source", async () => {
    const typed = await ask("what did the harbor council decide about the ferry? site:gazette.example.org");
    expect(typed.quotes.map((q) => q.article.id)).toEqual(["gazette"]);
    expect(typed.note).toBe("Quoting only gazette.example.org.");
    const named = await ask("what did the harbor council decide?", { source: "The Gazette" });
    expect(new Set(named.quotes.map((q) => q.article.id))).toEqual(new Set(["gazette"]));
    const none = await ask("what did the harbor council decide about the lighthouse?", {
      source: "The Gazette",
    });
    expect(none.status).toBe("nothing-relevant");
    expect(none.reason).toMatch(/^Nothing from The Gazette answers that/);
  });

  it("explicit since / until win over the question, and the CLI takes --as-of", async () => {
    const answer = await ask("what did the harbor council decide?", {
      window: { from: "2018-01-01", to: "2019-01-01", label: "in 2018" },
    });
    expect(answer.quotes.map((q) => q.article.id)).toEqual(["h2018"]);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => err.push(x) };
    const env = { INDEX_PATH: path.join(t.dir, "index.sqlite"), LOG_LEVEL: "silent" };
    const code = await runCli(
      [
        "ask",
        "--index",
        env.INDEX_PATH,
        "--json",
        "--as-of",
        "2026-11-27",
        "what did the harbor council decide last week?",
      ],
      io,
      env,
    );
    expect(code).toBe(0);
    const json = JSON.parse(out.join("\n"));
    expect(json.note).toMatch(/^From articles dated last week/);
    expect(json.quotes[0].articleId).toBe("h2026");
    expect(await runCli(["ask", "--since", "someday", "harbor"], io, env)).toBe(2);
    expect(err.at(-1)).toMatch(/"someday" is not a date/);
  });
});

describe("the index's filter rules, one for SQL and vector neighbours alike", () => {
  it("keeps dated articles inside the window only, and a source by site name or host", () => {
    const w = { from: "2026-11-16", to: "2026-11-23" };
    expect(inWindow("2026-11-20T10:00:00Z", w)).toBe(true);
    expect(inWindow("2026-11-23", w)).toBe(false);
    expect(inWindow(null, w)).toBe(false);
    expect(inWindow(null, undefined)).toBe(true);
    expect(sourceMatches("The Gazette", "the gazette", null)).toBe(true);
    expect(sourceMatches("gazette.example.org", null, "https://www.gazette.example.org/ferry")).toBe(true);
    expect(sourceMatches("example.org", null, "https://news.example.org/a")).toBe(true);
    // A host that only appears in another site's path is not that source.
    expect(
      sourceMatches("gazette.example.org", null, "https://other.example/x.gazette.example.org/ferry"),
    ).toBe(false);
  });
});
