import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MatchRow } from "../src/index/contracts.js";
import type { IndexStore } from "../src/index/store.js";
import { parseQuery, termOptions } from "../src/search/query.js";
import { rowReader, textReader } from "../src/search/row-words.js";
import { contentPairs, wordStems } from "../src/text/pairs.js";
import { roughSentences } from "../src/text/sentences.js";
import { stemSet, WORD } from "../src/text/terms.js";
import { CORPUS, indexOf, SYNONYMS } from "./helpers.js";

/** What reading every word of a row gives, as the rerank did before it read only the words that can matter. */
function readEveryWord(stems: Set<string>, pairs: Set<string>, title: string, text: string) {
  const only = (found: Set<string>) => new Set([...found].filter((s) => stems.has(s)));
  return {
    sentences: roughSentences(text).map((s) => only(stemSet(s))),
    all: only(new Set([...stemSet(title), ...stemSet(text)])),
    pairs: pairsRepeated(pairs, `${title}\n${text}`),
  };
}

/** Share of the question's pairs that a text repeats, reading every word (stop words skipped). */
function pairsRepeated(pairs: Set<string>, text: string): number {
  if (pairs.size === 0) return 0;
  const found = new Set<string>();
  let previous: string | null = null;
  for (const m of text.matchAll(WORD)) {
    const { content } = wordStems(m[0]);
    if (content === null) continue;
    if (previous !== null && pairs.has(`${previous} ${content}`)) found.add(`${previous} ${content}`);
    previous = content;
  }
  return Math.min(1, found.size / pairs.size);
}

function questionWords(question: string) {
  const query = parseQuery(question, SYNONYMS);
  const pairs = contentPairs(query.text);
  const stems = new Set<string>();
  for (const t of query.terms) for (const option of termOptions(t)) for (const s of option) stems.add(s);
  for (const pair of pairs) for (const s of pair.split(" ")) stems.add(s);
  return { query, stems, pairs };
}

const row = (title: string, text: string) => ({ title, text }) as MatchRow;

describe("reading a fetched row for the rerank", () => {
  const cases: [string, string, string][] = [
    [
      "Which mast cells grow?",
      "Cells",
      "Mast cells grow. The mast of the cells grows. A mast big cells grow.",
    ],
    ["Which mast cells grow?", "A ship's mast", "Cells of the sea grow in summer."],
    [
      "What did Émile Zola write about Paris?",
      "ÉMILE ZOLA",
      "Émile Zola wrote about Paris. EMILE wrote more.",
    ],
    ["Who eyed the ays?", "Eyes", "She eyed the ays. They were eying it. Ays and eyes."],
    [
      "How did finance 🙂 markets react in 2020?",
      "ﬁnance",
      "🙂Finance markets reacted in 2020, the ﬁnance desk said.",
    ],
    ["Who bought the company?", "Sale", "She bought it.\nThey buy companies; the company was sold."],
    [
      "What is the rare earth policy?",
      "Rare earth",
      "Policy.\n\nEarth rare. The rare, the earth: policy earth.",
    ],
  ];
  it.each(cases)("finds for %j what reading every word finds", (question, title, text) => {
    const { query, stems, pairs } = questionWords(question);
    const read = rowReader(query, pairs)(row(title, text));
    expect(read).toEqual(readEveryWord(stems, pairs, title, text));
  });

  it.each(cases)("reads %j's quotable text as reading every word does", (question, _title, text) => {
    const { query, stems, pairs } = questionWords(question);
    const expected = readEveryWord(stems, pairs, "", text);
    expect(textReader(query, pairs)(text)).toEqual({ stems: expected.all, pairs: expected.pairs });
  });

  it("counts a pair only when stop words alone stand between its words", () => {
    const { query, pairs } = questionWords("mast cells");
    const read = rowReader(query, pairs);
    expect(read(row("", "The mast of the cells.")).pairs).toBe(1);
    expect(read(row("", "The mast big cells.")).pairs).toBe(0);
    expect(read(row("Mast", "Cells are here.")).pairs).toBe(1);
    expect(read(row("", "A mast. Cells.")).pairs).toBe(1);
  });

  describe("over the project's corpus", () => {
    let store: IndexStore;
    beforeAll(async () => {
      store = await indexOf(CORPUS);
    });
    afterAll(() => store.close());

    it("matches reading every word of every passage, for questions of every kind", () => {
      const questions = [
        "What did the vice minister say about wastewater?",
        "rare earth healthy development",
        "Who inveted the AC induction moter?",
        "How many tonnes of lithium were produced in 2021?",
        "Which companies bought rare earths, and what did the ministry say?",
      ];
      const rows = store
        .articlesInSeq(0, store.committedSeq())
        .flatMap((id) => store.passagesOf(id).map((p) => row(store.getArticle(id)?.title ?? "", p.text)));
      expect(rows.length).toBeGreaterThan(10);
      for (const question of questions) {
        const { query, stems, pairs } = questionWords(question);
        const read = rowReader(query, pairs);
        for (const r of rows) expect(read(r)).toEqual(readEveryWord(stems, pairs, r.title, r.text));
      }
    });
  });
});
