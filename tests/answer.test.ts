import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IndexStore } from "../src/index/store.js";
import { ask, CORPUS, indexOf, SEED, SYNONYMS } from "./helpers.js";

const BOILERPLATE =
  /follow and like|Hits:|Leave a Reply|email address will not be published|cookies|Related posts|Share this|All rights reserved/i;

describe("the seed article alone", () => {
  let store: IndexStore;
  beforeAll(async () => {
    store = await indexOf(SEED);
  });
  afterAll(() => store.close());

  it("answers the wastewater question with the vice minister's words, verbatim, with a deep link", async () => {
    const answer = await ask(
      { store, synonyms: SYNONYMS },
      "what did the vice minister say about wastewater?",
    );
    expect(answer.status).toBe("answered");
    const first = answer.quotes[0];
    expect(first?.text).toContain(
      "Standardize and solve environmental problems such as ammonia nitrogen and high-chlorine wastewater discharge",
    );
    expect(first?.text.length).toBeLessThan(300);
    expect(first?.article.publishedAt).toBe("2018-09-10");
    expect(first?.article.site).toMatch(/Global REEs Venture/);
    expect(first?.link).toMatch(/^https:\/\/www\.globalreesventure\.com\/.+#:~:text=/);
    expect(first?.link).toContain("high%2Dchlorine%20wastewater%20discharge");
    // Who said it: the sentence naming the vice minister is quoted too.
    expect(answer.quotes.some((q) => q.text.includes("Wang Jiangping, Vice Minister"))).toBe(true);
  });

  it("says nothing is relevant for lithium batteries, and quotes nothing", async () => {
    const answer = await ask(
      { store, synonyms: SYNONYMS },
      "what did the minister say about lithium batteries?",
    );
    expect(answer.status).toBe("nothing-relevant");
    expect(answer.quotes).toEqual([]);
  });

  it("answers a question made only of stop words as nothing-relevant, not an error", async () => {
    const answer = await ask({ store }, "what did they say?");
    expect(answer.status).toBe("nothing-relevant");
    expect(answer.reason).toMatch(/common words/);
  });
});

describe("the fixture corpus", () => {
  let store: IndexStore;
  beforeAll(async () => {
    store = await indexOf(CORPUS);
  });
  afterAll(() => store.close());

  const questions = [
    "what did the vice minister say about wastewater?",
    "how long do cargo ships wait for the tide?",
    "how much lithium will the refinery process?",
    "when did train drivers return to work?",
    "why do growers expect a record apple harvest?",
    "rare earth industry",
    "harbor",
  ];

  it("every quote is the exact span of its article at its offsets", async () => {
    for (const q of questions) {
      const answer = await ask({ store, synonyms: SYNONYMS }, q);
      expect(answer.status, q).toBe("answered");
      for (const quote of answer.quotes) {
        const article = store.getArticle(quote.article.id);
        expect(article?.text.slice(quote.start, quote.end)).toBe(quote.text);
        expect(quote.passage.text).toContain(quote.text);
      }
    }
  });

  it("never quotes boilerplate", async () => {
    // The real questions are answered, so their quotes are checked; the boilerplate phrases are never quoted back.
    let checked = 0;
    for (const q of questions) {
      const answer = await ask({ store, synonyms: SYNONYMS }, q);
      expect(answer.quotes.length, q).toBeGreaterThan(0);
      for (const quote of answer.quotes) {
        expect(quote.text).not.toMatch(BOILERPLATE);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(questions.length);
    for (const q of ["please follow and like us", "hits", "leave a reply", "cookies", "related posts"]) {
      const answer = await ask({ store, synonyms: SYNONYMS }, q);
      for (const quote of answer.quotes) expect(quote.text).not.toMatch(BOILERPLATE);
    }
  });

  it("finds the now-relevant lithium article once it is in the corpus", async () => {
    const answer = await ask({ store, synonyms: SYNONYMS }, "how much lithium will the refinery process?");
    expect(answer.quotes[0]?.text).toContain("enough lithium for 500,000 electric cars a year");
  });

  it("quotes from at most three articles and at most the configured number of quotes", async () => {
    const question = "what did the vice minister say about wastewater and rare earth smelting?";
    const two = await ask({ store, synonyms: SYNONYMS }, question, { maxQuotes: 2 });
    expect(two.status).toBe("answered");
    expect(two.quotes).toHaveLength(2);
    const many = await ask({ store, synonyms: SYNONYMS }, question, { maxQuotes: 10 });
    expect(many.quotes.length).toBeGreaterThan(2);
    expect(new Set(many.quotes.map((q) => q.article.id)).size).toBeLessThanOrEqual(3);
    const nothing = await ask({ store, synonyms: SYNONYMS }, "the", {});
    expect(nothing.quotes).toEqual([]);
  });

  it("widens a short quote with the sentence before it, so it does not stand cut off", async () => {
    const answer = await ask({ store, synonyms: SYNONYMS }, "how deep will the dredging make the channel?");
    const first = answer.quotes[0];
    expect(first?.text).toMatch(
      /high tide before they can enter the port\. The dredging will deepen the channel to twelve meters\.$/,
    );
    expect(first?.cutStart).toBe(false);
  });
});
