import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnswerer } from "../src/answer/answerer.js";
import { loadConfig } from "../src/config.js";
import { IndexStore } from "../src/index/store.js";
import { wordStems } from "../src/text/pairs.js";
import { stem, useStemming } from "../src/text/terms.js";
import type { Article } from "../src/types.js";
import { SYNONYMS, tempDir } from "./helpers.js";

const article = (id: string, title: string, text: string): Article => ({
  id,
  url: `https://nachrichten.example.de/${id}`,
  title,
  site: "Nachrichten",
  publishedAt: "2026-11-20",
  author: null,
  text,
  fetchedAt: "2026-11-20T08:00:00Z",
  source: id,
});

describe("a corpus in another language (INDEX_LANGUAGE)", () => {
  const t = tempDir();
  const file = path.join(t.dir, "de.sqlite");
  let store: IndexStore;
  const ask = (question: string) =>
    createAnswerer({ corpus: { store, synonyms: SYNONYMS } }).answer(question);

  beforeAll(() => {
    store = new IndexStore(file, { language: "de" });
    store.upsertArticle(
      article(
        "hafen",
        "Hafen wird ausgebaggert",
        "Der Stadtrat hat beschlossen, die nördliche Hafeneinfahrt auszubaggern. Hafenmeisterin Anna Berg sagte, die Schiffe warten bis zu sechs Stunden auf die Flut.",
      ),
    );
    store.upsertArticle(
      article(
        "bahn",
        "Bahnstreik beendet",
        "Die Lokführer kehrten am Montag an die Arbeit zurück, nachdem die Gewerkschaft eine Lohnerhöhung angenommen hatte.",
      ),
    );
  });
  afterAll(() => {
    store.close();
    t.cleanup();
  });

  it("is built without the English stemmer, and its questions are stemmed the same way", () => {
    expect(store.language).toBe("de");
    // Porter would make "schiffe" "schiff"; the question side must do what the index does: nothing.
    expect(stem("warten")).toBe("warten");
    expect(stem("schiffe")).toBe("schiffe");
  });

  it("drops the stems the rerank cached for an English index when a German one is opened", () => {
    useStemming(true);
    expect(wordStems("Schiffe").stem).toBe("schiff");
    // Opening an index in another language switches the stemming; the cached English stem must not survive it.
    useStemming(false);
    expect(wordStems("Schiffe").stem).toBe("schiffe");
    expect(wordStems("Schiffe").content).toBe("schiffe");
  });

  it("answers a German question with the German sentence, not as a foreign one", async () => {
    const answer = await ask("Wie lange warten die Schiffe auf die Flut im Hafen?");
    expect(answer.status).toBe("answered");
    expect(answer.quotes[0]?.text).toContain("sechs Stunden");
    expect(answer.reason ?? "").not.toMatch(/looks like/);
  });

  it("tells an English question that the corpus is in German", async () => {
    const answer = await ask("How long do the ships wait for the tide at the harbour entrance?");
    expect(answer.status).toBe("nothing-relevant");
    expect(answer.reason).toMatch(/^This looks like English: the corpus is in German/);
  });

  it("keeps its language: opening it for another language says what to do and changes nothing", () => {
    store.close();
    expect(() => new IndexStore(file, { language: "en" })).toThrow(
      /was built for German text, but INDEX_LANGUAGE is en.*Set INDEX_LANGUAGE=de/,
    );
    store = new IndexStore(file);
    expect(store.language).toBe("de");
    expect(store.stats().articles).toBe(2);
  });

  it("an English index still stems, and INDEX_LANGUAGE is checked", () => {
    const english = new IndexStore(":memory:");
    expect(english.language).toBe("en");
    expect(stem("ships")).toBe("ship");
    english.close();
    expect(() => loadConfig({ INDEX_LANGUAGE: "klingon" })).toThrow(/INDEX_LANGUAGE.*must be one of en, de/);
    expect(loadConfig({ INDEX_LANGUAGE: "DE" }).indexLanguage).toBe("de");
    // Leave the process stemming English for other tests in this worker.
    new IndexStore(":memory:").close();
  });
});
