import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerKind, holdsKind } from "../src/answer/kinds.js";
import { RELEVANCE_THRESHOLD, relevanceEvidence, relevanceScore } from "../src/answer/relevance.js";
import type { IndexStore } from "../src/index/store.js";
import { renderAnswerText } from "../src/render/text.js";
import { search } from "../src/search/lexical.js";
import { foreignLanguage } from "../src/text/language.js";
import type { Answer, Hit } from "../src/types.js";
import { ask, CORPUS, FIXTURES, indexOf, SYNONYMS } from "./helpers.js";

const QUALITY = path.join(FIXTURES, "quality");

/** Every quote is still the exact span of its article. */
function expectVerbatim(store: IndexStore, answer: Answer): void {
  for (const q of answer.quotes) {
    expect(store.getArticle(q.article.id)?.text.slice(q.start, q.end)).toBe(q.text);
  }
}

describe("answers that quote the fact asked for", () => {
  let store: IndexStore;
  const corpus = () => ({ store, synonyms: SYNONYMS });
  beforeAll(async () => {
    // The quality fixtures beside the general fixture corpus, so that rarity means something.
    store = await indexOf(QUALITY, CORPUS);
  });
  afterAll(() => store.close());

  it("a date: quotes the sentence with the date, not the one that only repeats the question's words", async () => {
    const answer = await ask(corpus(), "When did Ilse Marten die?");
    expect(answer.status).toBe("answered");
    expect(answer.quotes[0]?.text).toContain("March 1911");
    expectVerbatim(store, answer);
  });

  it("a number with its unit: takes the next sentence when only it holds the length", async () => {
    const answer = await ask(corpus(), "How long is the stretch of the Arlen near Keswin?");
    expect(answer.quotes[0]?.text).toContain("42 km");
    expect(answer.quotes[0]?.text).toContain("near Keswin");
    expectVerbatim(store, answer);
  });

  it("a percentage: prefers the share over a year", async () => {
    const answer = await ask(corpus(), "What percentage of the air is nitrogen?");
    expect(answer.quotes[0]?.text).toContain("78%");
  });

  it("a person: quotes the sentence that names who", async () => {
    const answer = await ask(corpus(), "Who designed the new Fenwick bridge?");
    expect(answer.quotes[0]?.text).toContain("Marta Okonjo");
  });

  it("a place: quotes where", async () => {
    const answer = await ask(corpus(), "Where will the 2031 Chess Olympiad be held?");
    expect(answer.quotes[0]?.text).toContain("Tbilisi");
  });

  it("a blank: quotes the words that fill it", async () => {
    const answer = await ask(
      corpus(),
      "The council of Alderney voted to ban ______ from the old town square.",
    );
    expect(answer.quotes[0]?.text).toContain("motor scooters");
  });

  it("the sentence that holds the question's other words, not the one that repeats the subject", async () => {
    // Every sentence names the Varden compound engine; only one says what its stages were called.
    const answer = await ask(corpus(), "What were the stages of the Varden compound engine called?");
    expect(answer.quotes[0]?.text).toContain("stages were called expansions");
    expectVerbatim(store, answer);
  });

  it("a short news paragraph is quoted whole, so the sentence beside the one that repeats the question comes along", async () => {
    const answer = await ask(
      corpus(),
      "Which holiday product do parents place on a shelf to report whether kids are naughty or nice?",
    );
    const first = answer.quotes[0]?.text ?? "";
    expect(first).toContain("Millions of families now follow Tinsel Tom.");
    expect(first).toContain("naughty or nice");
    expectVerbatim(store, answer);
  });

  it("a sentence that introduces what follows takes it along", async () => {
    const answer = await ask(corpus(), "Which priorities did officials name for the harbor?");
    const first = answer.quotes[0]?.text ?? "";
    expect(first).toMatch(/as follows: deeper berths for container ships/);
    expectVerbatim(store, answer);
  });

  it("a heading, byline and dateline join the paragraph they belong to, offsets exact", () => {
    const { hits } = search(store, "Ana Ruiz Keswin", { limit: 5 });
    const passage = hits.find((h) => h.article.id === "river-keswin")?.passage;
    expect(passage?.text).toMatch(/\n\nBy Ana Ruiz\n\nKESWIN —\n\nThe Arlen rises/);
    const article = store.getArticle("river-keswin");
    expect(article?.text.slice(passage?.start, passage?.end)).toBe(passage?.text);
  });

  it("corrects a misspelt word to the index's own, weighed by the other words, and says so", async () => {
    const answer = await ask(corpus(), "Who inveted the spinning jenny?");
    expect(answer.searchedFor).toBe("Who invented the spinning jenny?");
    expect(answer.quotes[0]?.text).toContain("James Hargreaves invented the spinning jenny");
    expect(renderAnswerText(answer)).toMatch(/^Showing results for “Who invented the spinning jenny\?”/);
  });

  it("answers a long, chatty question by its content, not its length", async () => {
    const chatty =
      "hey everyone!! sorry if this is a dumb question, i was reading the news earlier and honestly got a bit " +
      "confused lol. my friend keeps telling me about that bridge thing in Fenwick and i think there was some " +
      "drama about the delays and the cyclists, but what i actually want to know is pretty simple: who designed " +
      "the new Fenwick bridge in the first place? was it someone local or an engineer from somewhere else? " +
      "thanks a lot in advance, you guys are great :)";
    expect(chatty.length).toBeGreaterThan(400);
    const answer = await ask(corpus(), chatty);
    expect(answer.status).toBe("answered");
    expect(answer.quotes.some((q) => q.text.includes("Marta Okonjo"))).toBe(true);
  });

  it("does not pad an answer with quotes from unrelated articles", async () => {
    const answer = await ask(corpus(), "What did the harbor master say about the tugboats?");
    expect(answer.status).toBe("answered");
    expect(answer.quotes[0]?.text).toContain("tugboats would switch fuel first");
    expect(answer.quotes.length).toBeGreaterThan(1);
    // Every quoted article is about the harbor master or the tugboats: none is there only for the word "harbor".
    for (const q of answer.quotes) {
      expect(store.getArticle(q.article.id)?.text.toLowerCase()).toMatch(/tugboat|harbor master/);
    }
  });

  it("a year asked: quotes the sentence of that year, not one naming another year", async () => {
    const answer = await ask(corpus(), "Who won the 2021 Kestrel Open golf tournament?");
    expect(answer.status).toBe("answered");
    expect(answer.quotes[0]?.text).toContain("Mara Ellison");
    expectVerbatim(store, answer);
  });

  it("refuses an off-corpus question and quotes nothing, while answering one the corpus holds", async () => {
    const off = await ask(corpus(), "Which team won the 1998 cricket world cup final in Melbourne?");
    expect(off.status).toBe("nothing-relevant");
    expect(off.quotes).toEqual([]);
    const on = await ask(corpus(), "When did train drivers return to work?");
    expect(on.status).toBe("answered");
    expect(on.quotes[0]?.text).toContain("returned to work on Monday");
  });
});

describe("one long article cannot fill the candidates", () => {
  let store: IndexStore;
  beforeAll(async () => {
    store = await indexOf(QUALITY, CORPUS);
  });
  afterAll(() => store.close());

  it("keeps one passage per article ahead of any article's second", () => {
    // "harbor" matches several passages of one article and passages of others.
    const { hits } = search(store, "harbor", { limit: 10 });
    const firstSeen: string[] = [];
    for (const h of hits) if (!firstSeen.includes(h.article.id)) firstSeen.push(h.article.id);
    const head = hits.slice(0, firstSeen.length).map((h) => h.article.id);
    expect(new Set(head).size).toBe(head.length);
    expect(firstSeen.length).toBeGreaterThan(1);
  });
});

describe("answer kinds", () => {
  it("reads the kind of answer a question wants", () => {
    expect(answerKind("When did Ilse Marten die?")).toBe("date");
    expect(answerKind("In what year was the bridge opened?")).toBe("date");
    expect(answerKind("How many teams took part?")).toBe("number");
    expect(answerKind("What percentage of the air is nitrogen?")).toBe("number");
    expect(answerKind("Who designed the bridge?")).toBe("person");
    expect(answerKind("Where will the olympiad be held?")).toBe("place");
    expect(answerKind("Which country hosts the olympiad?")).toBe("place");
    expect(answerKind("Which company makes the trains?")).toBe("name");
    expect(answerKind("The council voted to ban ______ from the square.")).toBe("blank");
    expect(answerKind("Why do growers expect a record harvest?")).toBe("other");
  });

  it("finds a candidate of that kind that the question does not already name", () => {
    const q = "When did Ilse Marten die?";
    expect(holdsKind("She died in March 1911 in Vienna.", "date", q)).toBe(true);
    expect(holdsKind("Marten said she would not die yet.", "date", q)).toBe(false);
    expect(holdsKind("This stretch is about 42 km long.", "number", "How long is it?")).toBe(true);
    expect(holdsKind("It was isolated in 1772.", "number", "What percentage of the air is nitrogen?")).toBe(
      false,
    );
    expect(holdsKind("It makes up about 78% of dry air.", "number", "What percentage of air is it?")).toBe(
      true,
    );
    expect(holdsKind("It was designed by Marta Okonjo, an engineer.", "person", "Who designed it?")).toBe(
      true,
    );
    expect(holdsKind("It opened to traffic on Tuesday.", "person", "Who designed it?")).toBe(false);
  });
});

describe("questions in another language", () => {
  let store: IndexStore;
  const corpus = () => ({ store, synonyms: SYNONYMS });
  beforeAll(async () => {
    store = await indexOf(QUALITY, CORPUS);
  });
  afterAll(() => store.close());

  it("says the corpus answers in English when a question is clearly in another language, and only then", async () => {
    const spanish = await ask(corpus(), "¿Qué dijo el viceministro sobre las aguas residuales industriales?");
    expect(spanish.status).toBe("nothing-relevant");
    expect(spanish.reason).toMatch(/^This looks like Spanish: the corpus is in English/);
    const german = await ask(corpus(), "Wer hat die neue Brücke in Fenwick entworfen und gebaut?");
    expect(german.reason).toMatch(/^This looks like German/);
    for (const english of [
      "When did Genghis Khan die?",
      "what did the minister say about lithium batteries?",
      // One English function word and a rare Greek-derived noun: franc alone reads these as Kirundi or Vietnamese.
      "How large can ctenophora grow?",
      "How big can ctenophora grow?",
    ]) {
      expect(foreignLanguage(english), english).toBeNull();
    }
  });
});

describe("the relevance decision", () => {
  const term = (word: string) => ({ word, stem: word, alternatives: [] });
  const query = { text: "Who designed the Fenwick bridge?", terms: ["design", "fenwick", "bridg"].map(term) };
  const stats = {
    docFreq: (s: string) => ({ design: 40, fenwick: 3, bridg: 25 })[s] ?? 0,
    total: () => 1000,
  };
  const hit = (terms: string[], score: number) =>
    ({ terms, score, passage: { text: "" }, article: { id: "a" } }) as unknown as Hit;

  it("trusts one sentence holding the question's words above the same words scattered across a passage", () => {
    const passage = hit(["design", "fenwick", "bridg"], 12);
    const together = relevanceScore(
      relevanceEvidence(query, [passage], [[["design", "fenwick", "bridg"], []]], stats),
    );
    const scattered = relevanceScore(
      relevanceEvidence(query, [passage], [[["design"], [], ["fenwick"], [], ["bridg"]]], stats),
    );
    expect(together).toBeGreaterThan(RELEVANCE_THRESHOLD);
    expect(scattered).toBeLessThan(together);
  });

  it("doubts a passage when the question's rarest word is one the corpus never contains", () => {
    const unknown = { ...stats, docFreq: (s: string) => (s === "fenwick" ? 0 : stats.docFreq(s)) };
    // Ten passages that score alike, as a big corpus gives for common words.
    const ranked = Array.from({ length: 10 }, (_, i) => hit(["design", "bridg"], 8 - 0.1 * i));
    const units = [[["design", "bridg"]]];
    const known = relevanceScore(relevanceEvidence(query, ranked.slice(0, 1), units, stats, ranked));
    const missing = relevanceScore(relevanceEvidence(query, ranked.slice(0, 1), units, unknown, ranked));
    expect(missing).toBeLessThan(RELEVANCE_THRESHOLD);
    expect(missing).toBeLessThan(known);
  });
});
