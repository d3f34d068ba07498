import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerbatimError } from "../src/errors.js";
import { toMatchExpression } from "../src/index/fts-expression.js";
import type { IndexStore } from "../src/index/store.js";
import { search } from "../src/search/lexical.js";
import { matchQuery, parseQuery } from "../src/search/query.js";
import { CORPUS, indexOf, SYNONYMS } from "./helpers.js";

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
