import { describe, expect, it } from "vitest";
import { loadFile } from "../src/corpus/load.js";
import { chunkArticle } from "../src/index/chunk.js";
import { quoteUnits, sentenceSpans } from "../src/text/sentences.js";
import { SEED } from "./helpers.js";

describe("passages", () => {
  it("keeps offsets: every passage is the exact slice of its article", async () => {
    const [article] = (await loadFile(SEED)).articles;
    if (!article) throw new Error("seed article missing");
    const passages = chunkArticle(article.id, article.text);
    expect(passages.length).toBeGreaterThanOrEqual(2);
    for (const p of passages) expect(article.text.slice(p.start, p.end)).toBe(p.text);
  });

  it("splits a long paragraph at sentence boundaries", () => {
    const sentence = "The committee met again on Thursday to discuss the harbour budget in detail. ";
    const text = sentence.repeat(40).trim();
    const passages = chunkArticle("a", text, 500);
    expect(passages.length).toBeGreaterThan(5);
    for (const p of passages) {
      expect(p.text.length).toBeLessThanOrEqual(500);
      expect(p.text.endsWith(".")).toBe(true);
      expect(text.slice(p.start, p.end)).toBe(p.text);
    }
  });

  it("splits text without any punctuation at white space", () => {
    const text = "word ".repeat(3000).trim();
    const passages = chunkArticle("a", text, 900);
    expect(passages.every((p) => p.text.length <= 900 && text.slice(p.start, p.end) === p.text)).toBe(true);
    expect(passages.map((p) => p.text).join(" ")).toBe(text);
  });
});

describe("sentences", () => {
  it("does not end sentences at titles and initials", () => {
    const text = "Mr. Wang met Dr. Li in the U.S. capital on Jan. 5. They spoke for an hour.";
    const spans = sentenceSpans(text).map((s) => text.slice(s.start, s.end));
    expect(spans).toEqual(["Mr. Wang met Dr. Li in the U.S. capital on Jan. 5.", "They spoke for an hour."]);
  });

  it("splits very long sentences into clauses at semicolons", () => {
    const clause = "second, adhere to innovation-driven, green development and improve industry standards";
    const text = `First, ${clause}; ${clause}; ${clause}; Fourth, promote the standard development of the industry.`;
    const units = quoteUnits(text);
    expect(units.length).toBe(4);
    expect(units[0]?.sentenceStart).toBe(true);
    expect(units[1]?.sentenceStart).toBe(false);
    expect(text.slice(units[1]?.start, units[1]?.end)).toBe(clause);
    expect(units[3]?.sentenceEnd).toBe(true);
  });
});

describe("a paragraph far longer than a passage", () => {
  /** The project's fixture articles run together into one paragraph of several segmenter windows. */
  async function longParagraph(): Promise<string> {
    const { readdirSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    const dir = dirname(SEED);
    const texts: string[] = [];
    for (const name of readdirSync(dir).sort()) {
      const { articles } = await loadFile(join(dir, name));
      for (const a of articles) texts.push(a.text.replace(/\s*\n\s*/g, " "));
    }
    return texts.join(" ").repeat(12);
  }

  it("is cut into the sentences the segmenter finds in it whole", async () => {
    const { rawSentences, SEGMENT_WINDOW } = await import("../src/text/sentences.js");
    const text = await longParagraph();
    expect(text.length).toBeGreaterThan(4 * SEGMENT_WINDOW);
    const whole = [...new Intl.Segmenter("en", { granularity: "sentence" }).segment(text)].map((s) => [
      s.index,
      s.index + s.segment.length,
    ]);
    const windowed = [...rawSentences(text, 0, text.length)].map((s) => [s.start, s.end]);
    expect(windowed).toEqual(whole);
  });

  it("is cut into passages of at most the limit, however long, with or without spaces", () => {
    const sentences = "A short sentence here. ".repeat(40_000);
    const runs = [sentences, "x".repeat(300_000), "word ".repeat(60_000)];
    for (const text of runs) {
      const passages = chunkArticle("a", text);
      expect(passages.length).toBeGreaterThan(text.length / 1400 - 1);
      for (const p of passages) {
        expect(p.text.length).toBeLessThanOrEqual(1400);
        expect(text.slice(p.start, p.end)).toBe(p.text);
      }
      // Nothing is lost between passages but the spaces they were cut at.
      const covered = passages.reduce((n, p) => n + p.text.length, 0);
      expect(covered).toBeGreaterThan(text.trim().length * 0.99);
    }
  });
});
