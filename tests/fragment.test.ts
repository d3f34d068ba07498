import { describe, expect, it } from "vitest";
import { encodeDirectivePart, quoteLink, textDirective } from "../src/answer/fragment.js";

describe("text fragment links", () => {
  it("percent-encodes the characters the spec reserves", () => {
    expect(encodeDirectivePart("high-chlorine, ammonia & more")).toBe(
      "high%2Dchlorine%2C%20ammonia%20%26%20more",
    );
  });

  it("uses the whole text for a short quote", () => {
    const text = "The dam opened in 1961.";
    expect(textDirective(text, 0, text.length)).toBe("text=The%20dam%20opened%20in%201961.");
  });

  it("uses start and end words for a long quote", () => {
    const text = "One two three four five six seven eight nine ten eleven twelve thirteen.";
    expect(textDirective(text, 0, text.length)).toBe(
      "text=One%20two%20three%20four%20five,nine%20ten%20eleven%20twelve%20thirteen.",
    );
  });

  it("adds words or a prefix so that the first match in the article is the quote", () => {
    const earlier = "The minister said the plan would work. ";
    const quote = "The minister said the plan would cost 14 million euros over five years in total.";
    const text = `${earlier}${quote}`;
    const directive = textDirective(text, earlier.length, text.length);
    const startPart = decodeURIComponent(directive.slice(5).split(",")[0] ?? "");
    expect(text.indexOf(startPart)).toBe(earlier.length);

    const repeated = "Prices rose. Prices rose.";
    expect(textDirective(repeated, 13, 25)).toBe("text=Prices%20rose.-,Prices%20rose.");
  });

  it("replaces an existing fragment and gives no link without a URL", () => {
    expect(quoteLink("https://a.example/x#top", "Hello world.", 0, 12)).toBe(
      "https://a.example/x#:~:text=Hello%20world.",
    );
    expect(quoteLink(null, "Hello world.", 0, 12)).toBeNull();
  });
});
