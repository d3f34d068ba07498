import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerbatimError } from "../src/errors.js";
import { toMatchExpression } from "../src/index/sqlite/fts-expression.js";
import { IndexStore } from "../src/index/store.js";
import { upsertArticles } from "../src/ingest/files.js";
import { orTerms, search } from "../src/search/lexical.js";
import { matchQuery, parseQuery } from "../src/search/query.js";
import { closestTerm, VOCABULARY_MAX_AGE_MS } from "../src/search/spelling.js";
import { CORPUS, indexOf, newsArticle, SYNONYMS, tempDir } from "./helpers.js";

let store: IndexStore;
beforeAll(async () => {
  store = await indexOf(CORPUS);
});
afterAll(() => store.close());

const HOSTILE = [
  '"unbalanced quote',
  "wastewater*",
  "-wastewater",
  "title:wastewater",
  "NEAR(rare earth, 5)",
  "rare AND earth OR NOT wastewater",
  "(((wastewater",
  "wastewater)) OR 1=1; DROP TABLE articles; --",
  "🙂🔥 rare earth 🚀",
  "^wastewater + {title}: [body]",
  `${"rare ".repeat(2000)}earth`,
  "x".repeat(10_000),
  "\u0000\u0001 wastewater \u202e",
  `wastewater 7.3.1, 2,000,000 and 0.5% ${"1.".repeat(3000)}1`,
];

describe("hostile queries", () => {
  for (const q of HOSTILE) {
    it(`searches ${JSON.stringify(q.slice(0, 40))} without an SQL error`, () => {
      const run = () => search(store, q, { synonyms: SYNONYMS });
      expect(run).not.toThrow();
      const { hits } = run();
      // Whatever the syntax around them, the words are searched as words: a hit holds one of them.
      for (const h of hits) expect(h.terms.length).toBeGreaterThan(0);
      if (/wastewater|rare/i.test(q)) expect(hits.length).toBeGreaterThan(0);
    });
  }

  it("finds the words inside FTS syntax", () => {
    expect(search(store, "NEAR(wastewater)").hits[0]?.passage.text).toContain("wastewater");
    expect(search(store, "title:harbor*").hits[0]?.article.title).toContain("harbor");
  });

  it("refuses empty and stop-word-only text with a clear message", () => {
    for (const q of ["", "   ", "?!*", "what is it about?"]) {
      expect(() => search(store, q)).toThrow(VerbatimError);
    }
    expect(() => search(store, "")).toThrow(/nothing to search for/);
  });

  it("only ever passes quoted strings to MATCH", () => {
    const expr = toMatchExpression(matchQuery(parseQuery("NEAR(harbor dredging) OR title:port*"), "or"));
    expect(expr).toBe('"near" OR "harbor" OR "dredging" OR "title" OR "port"');
    expect(toMatchExpression(matchQuery(parseQuery('quote"inside'), "and"))).toBe('"quote" AND "inside"');
  });

  it("caps the number of terms of a huge question", () => {
    const words = Array.from({ length: 500 }, (_, i) => `word${i}`).join(" ");
    expect(parseQuery(words).terms).toHaveLength(32);
  });

  it("drops chat idioms but keeps the same words when they are the topic", () => {
    const stems = (q: string) => parseQuery(q).terms.map((t) => t.word);
    expect(stems("who designed the bridge in the first place, thanks in advance")).toEqual([
      "designed",
      "bridge",
    ]);
    expect(stems("who took first place in the regatta?")).toEqual(["took", "first", "place", "regatta"]);
  });
});

describe("ranking", () => {
  it("stems: 'refineries' finds 'refinery'", () => {
    expect(search(store, "refineries").hits[0]?.article.title).toMatch(/lithium refinery/);
  });

  it("ignores diacritics", () => {
    expect(search(store, "hárbor dredging").hits[0]?.article.title).toMatch(/harbor/);
  });

  it("expands synonyms: 'vice minister' finds the deputy minister", () => {
    const q = parseQuery("vice minister", SYNONYMS);
    expect(q.terms[0]?.alternatives).toContain("deputy");
    expect(search(store, "vice minister", { synonyms: SYNONYMS }).hits[0]?.article.title).toMatch(
      /^Deputy Minister/,
    );
  });

  it("weights the title above the body", () => {
    const hits = search(store, "harbor dredging").hits;
    expect(hits[0]?.article.title).toBe("City council approves harbor dredging plan");
  });

  it("reports the query terms each hit matched", () => {
    const hit = search(store, "wastewater discharge lithium").hits[0];
    expect(hit?.terms).toEqual(expect.arrayContaining(["wastewat", "discharg"]));
  });
});

describe("word order", () => {
  const t = tempDir();
  let small: IndexStore;
  beforeAll(() => {
    small = new IndexStore(path.join(t.dir, "order.sqlite"));
    // The same words, as many of them, in the same title: BM25 cannot tell these apart; only the order can.
    upsertArticles(small, [
      newsArticle("apart", "Lab notes", "Cells on the ship mast recorded weight gain in obese mice."),
      newsArticle("together", "Lab notes", "Mast cells in obese mice recorded weight gain on the ship."),
    ]);
  });
  afterAll(() => {
    small.close();
    t.cleanup();
  });

  it("joins an irregular past form to its verb: a question's 'buy' finds an article's 'bought'", () => {
    upsertArticles(small, [
      newsArticle("sold", "Ferry news", "The council will sell the old ferry to a yard in Bergen."),
      newsArticle("bought", "Ferry news", "The council bought the old ferry from a yard in Bergen."),
    ]);
    const hits = search(small, "Where did the council buy the old ferry?", { synonyms: SYNONYMS }).hits;
    expect(hits[0]?.article.id).toBe("bought");
    expect(hits[0]?.terms).toContain("bui");
  });

  it("never 'corrects' a real word the corpus lacks into an indexed oddity, but still corrects a typo", () => {
    upsertArticles(small, [
      newsArticle("ride", "Fair news", "The Helicoider ride opened at the county fair on Saturday."),
    ]);
    const real = search(small, "Was anyone hurt in the helicopter crash?");
    expect(real.corrections).toEqual([]);
    expect(real.query.terms.map((t) => t.word)).toContain("helicopter");
    const typo = search(small, "When did the helicoidr ride open?");
    expect(typo.corrections?.map((c) => c.from)).toEqual(["helicoidr"]);
    expect(typo.hits[0]?.article.id).toBe("ride");
  });

  it("ranks the passage that repeats the question's word pairs ('mast cells') first", () => {
    const hits = search(small, "What do mast cells do in obese mice?").hits;
    expect(hits.map((h) => h.article.id)).toEqual(["together", "apart"]);
  });
});

describe("limited searches over a larger index", () => {
  const t = tempDir();
  let big: IndexStore;
  const topics = ["harbor", "ferry", "bridge", "lighthouse"];
  beforeAll(() => {
    big = new IndexStore(path.join(t.dir, "big.sqlite"));
    // 3,000 passages mentioning the harbor, dated over ten years, from two sites.
    const articles = Array.from({ length: 1500 }, (_, i) =>
      newsArticle(
        `a${i}`,
        `Council notes ${i}`,
        `The harbor council met on item ${i} about the ${topics[i % 4]} budget and the quay.\n\nMembers said the ${topics[(i + 1) % 4]} plan for ${i % 7} districts would wait.`,
        {
          publishedAt: `${2016 + (i % 10)}-0${1 + (i % 9)}-1${i % 10}`,
          site: i % 3 === 0 ? "Harbour Times" : "Daily Ledger",
        },
      ),
    );
    upsertArticles(big, articles);
  });
  afterAll(() => {
    big.close();
    t.cleanup();
  });

  // A narrow window is searched among its own passages, a broad one among the best rows of the whole match first.
  it("a dated or sourced search finds exactly what checking every matching row finds, best first", () => {
    const q = parseQuery("harbor council quay budget");
    const everything = big.match(matchQuery(q, "or"), 5000);
    for (const window of [
      { from: "2019-01-01", to: "2020-01-01" },
      { from: "2025-09-19", to: "2025-09-20" },
      { from: "2016-01-01", to: "2030-01-01" },
      { from: "2016-01-01", to: "2022-01-01" },
    ]) {
      for (const source of [undefined, "Harbour Times"]) {
        const expected = everything
          .filter((r) => (r.published_at ?? "") >= window.from && (r.published_at ?? "") < window.to)
          .filter((r) => !source || r.site === source)
          .slice(0, 20)
          .map((r) => r.id);
        const got = big
          .match({ ...matchQuery(q, "or"), window, ...(source ? { source } : {}) }, 20)
          .map((r) => r.id);
        expect(got, `${window.from} ${source}`).toEqual(expected);
      }
    }
  });

  it("a window no article is dated in finds nothing, at once", () => {
    const q = parseQuery("harbor council");
    expect(
      big.match({ ...matchQuery(q, "or"), window: { from: "1949-01-01", to: "1950-01-01" } }, 20),
    ).toEqual([]);
  });

  it("an any-term search of common words only keeps the two rarest, so it never scores every passage", () => {
    const q = parseQuery("harbor council quay members plan");
    const kept = orTerms(
      {
        ...big,
        totalPassages: () => 100_000,
        docFreq: (s: string) => big.docFreq(s) * 10,
      } as unknown as IndexStore,
      q,
    );
    // Every term is in more than 5,000 of a pretend 100,000 passages: the two least frequent are searched.
    const df = (w: string) => big.docFreq(parseQuery(w).terms[0]?.stem ?? "");
    const rarest = q.terms
      .map((t) => t.word)
      .sort((a, b) => df(a) - df(b))
      .slice(0, 2);
    expect(kept.terms.map((t) => t.word).sort()).toEqual(rarest.sort());
  });
});

describe("the spelling vocabulary", () => {
  it("is read once and serves for hours after ingests, unless the corpus has doubled", () => {
    const t = tempDir();
    const s = new IndexStore(path.join(t.dir, "v.sqlite"));
    const many = (prefix: string, n: number, word: string) =>
      Array.from({ length: n }, (_, i) =>
        newsArticle(`${prefix}${i}`, `Note ${i}`, `The ${word} council met about item ${i} and the quay.`),
      );
    upsertArticles(s, many("a", 20, "harbor"));
    const t0 = Date.now();
    expect(closestTerm(s, "harbr", null, t0)).toBe("harbor");
    // A new word arrives with a small ingest: the vocabulary read at t0 still serves, without it…
    upsertArticles(s, many("b", 2, "lighthouse"));
    expect(closestTerm(s, "lighthous", null, t0 + 60_000)).toBeNull();
    // …until it is hours old,
    expect(closestTerm(s, "lighthous", null, t0 + VOCABULARY_MAX_AGE_MS + 1)).toBe("lighthous");
    // or the corpus has more than doubled.
    upsertArticles(s, many("c", 30, "ferryboat"));
    expect(closestTerm(s, "ferryboa", null, t0 + VOCABULARY_MAX_AGE_MS + 2)).toBe("ferryboat");
    s.close();
    t.cleanup();
  });
});

describe("numbers with a decimal point or separators", () => {
  it("searches 7.3 as one number, not as any 7 and any 3", () => {
    expect(parseQuery("Which nation had a 7.3 magnitude earthquake?").terms.map((t) => t.word)).toContain(
      "7 3",
    );
    const own = new IndexStore(":memory:");
    try {
      upsertArticles(own, [
        newsArticle(
          "quake-a",
          "Quake shakes the coast",
          "A 6.7 magnitude earthquake hit the coast, and 3 towns lost power for 7 hours.",
        ),
        newsArticle(
          "quake-b",
          "Island quake",
          "A deadly 7.3-magnitude earthquake hit the island nation of Vanuatu on Tuesday.",
        ),
      ]);
      const { hits } = search(own, "Which nation had a 7.3 magnitude earthquake?");
      expect(hits[0]?.article.id).toBe("quake-b");
      expect(hits[0]?.terms).toContain("7 3");
    } finally {
      own.close();
    }
  });
});
