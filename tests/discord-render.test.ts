import { describe, expect, it } from "vitest";
import { escapeForDiscord } from "../src/discord/escape.js";
import { embedLength, LIMITS, trimToLimit } from "../src/discord/limits.js";
import { renderAnswer, renderHelp, renderSearchPage } from "../src/discord/render.js";
import type { Answer, ArticleMeta, Hit, Quote } from "../src/types.js";
import { payloadProblems } from "./fake-discord/server.js";

const article = (n: number, title = `Article ${n}`): ArticleMeta => ({
  id: `a${n}`,
  url: `https://news.example.com/${n}`,
  title,
  site: "Example News",
  publishedAt: `2024-01-0${(n % 9) + 1}`,
  author: null,
  source: `data/${n}.md`,
});

const quote = (n: number, text: string, title?: string): Quote => ({
  text,
  start: 0,
  end: text.length,
  passage: { id: n, articleId: `a${n}`, ordinal: 0, text, start: 0, end: text.length },
  article: article(n, title),
  link: `https://news.example.com/${n}#:~:text=x`,
  cutStart: false,
  cutEnd: false,
});

const longSentence = (n: number) =>
  `Sentence ${n} says something long about harbours and budgets and weather. `.repeat(60);

describe("rendering answers within Discord's limits", () => {
  it("trims huge quotes and titles at sentence ends, never exceeding a limit", () => {
    const answer: Answer = {
      question: "q".repeat(3000),
      status: "answered",
      quotes: [1, 2, 3, 4, 5, 6, 7].map((n) => quote(n, longSentence(n), "T".repeat(900))),
    };
    const { embeds, components, allowedMentions } = renderAnswer(answer);
    const embed = embeds[0];
    expect(embed?.title?.length).toBeLessThanOrEqual(LIMITS.embedTitle);
    expect(embed?.description?.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    expect(embedLength(embed as Parameters<typeof embedLength>[0])).toBeLessThanOrEqual(LIMITS.embedTotal);
    expect(embed?.description).toMatch(/\. …/);
    expect(components.length).toBeLessThanOrEqual(LIMITS.rows);
    for (const row of components) expect(row.components.length).toBeLessThanOrEqual(LIMITS.buttonsPerRow);
    expect(allowedMentions).toEqual({ parse: [] });
  });

  it("numbers quotes and sources alike and links each source", () => {
    const { embeds } = renderAnswer({
      question: "harbours?",
      status: "answered",
      quotes: [quote(1, "The harbour opened."), quote(2, "It closed.")],
    });
    const d = embeds[0]?.description ?? "";
    expect(d).toMatch(/^> The harbour opened\. \*\*\[1\]\*\*/);
    // An article over a year old says how old it is.
    expect(d).toMatch(
      /\*\*\[2\]\*\* \[Article 2 — Example News — 2024-01-03 \(\d+ years? old\)\]\(https:\/\/news\.example\.com\/2#:~:text=x\)/,
    );
  });

  it("drops link buttons whose URL is over Discord's 512 characters", () => {
    const q = { ...quote(1, "Short."), link: `https://x.example/${"a".repeat(600)}` };
    q.article = { ...q.article, url: q.link };
    expect(renderAnswer({ question: "x", status: "answered", quotes: [q] }).components).toEqual([]);
  });

  it("explains a nothing-relevant answer without quoting", () => {
    const { embeds, components } = renderAnswer({
      question: "lithium?",
      status: "nothing-relevant",
      quotes: [],
      reason: "No article mentions these words.",
    });
    expect(embeds[0]?.description).toMatch(/found nothing in the corpus/);
    expect(embeds[0]?.description).toMatch(/\/search/);
    expect(components).toEqual([]);
  });

  it("keeps search pages within field limits", () => {
    const hits: Hit[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({
      passage: quote(n, longSentence(n)).passage,
      article: article(n, "T".repeat(400)),
      score: 1,
      terms: [],
    }));
    const page = renderSearchPage("harbour", hits, 1, "abc");
    const embed = page.embeds[0];
    expect(embed?.fields).toHaveLength(2);
    for (const f of embed?.fields ?? []) {
      expect(f.name.length).toBeLessThanOrEqual(LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    }
    expect(embedLength(embed as Parameters<typeof embedLength>[0])).toBeLessThanOrEqual(LIMITS.embedTotal);
    const [prev, next] = page.components[0]?.components ?? [];
    expect(prev).toMatchObject({ custom_id: "search:abc:0", disabled: false });
    expect(next).toMatchObject({ custom_id: "search:abc:2", disabled: true });
  });

  it("renders help with corpus figures", () => {
    const { embeds } = renderHelp({
      articles: 3,
      passages: 9,
      newest: { title: "New *thing*", publishedAt: "2024-05-01", url: null },
      lastIngestAt: "2024-05-02T10:00:00Z",
      version: 2,
    });
    expect(embeds[0]?.fields?.find((f) => f.name === "Newest article")?.value).toBe(
      "New \\*thing\\* (2024-05-01)",
    );
  });
});

describe("every payload passes Discord's own limit checks", () => {
  it("a /search page with long passages, long titles and 1,500-character URLs", () => {
    const hits: Hit[] = [1, 2, 3, 4, 5].map((n) => {
      const text = longSentence(n).slice(0, 1500);
      return {
        passage: { id: n, articleId: `a${n}`, ordinal: 0, text, start: 0, end: text.length },
        article: {
          ...article(n, `${"Title ".repeat(60)}${n}`),
          url: `https://news.example.com/${n}?q=${"x".repeat(1500)}`,
          site: "S".repeat(300),
        },
        score: 1,
        terms: [],
      };
    });
    for (const query of ["harbour", "q".repeat(500)]) {
      const page = renderSearchPage(query, hits, 0, "abc");
      expect(payloadProblems(page as unknown as Record<string, unknown>)).toEqual([]);
      // Every passage is still shown, with as much of its text as fits.
      expect(page.embeds[0]?.fields).toHaveLength(5);
      for (const f of page.embeds[0]?.fields ?? []) expect(f.value.length).toBeGreaterThan(500);
    }
  });

  it("an answer with seven huge quotes, a huge question and a huge reason", () => {
    const answer: Answer = {
      question: "q".repeat(5000),
      status: "degraded",
      reason: "r".repeat(5000),
      prose: "p ".repeat(3000),
      quotes: [1, 2, 3, 4, 5, 6, 7].map((n) => quote(n, longSentence(n), "T".repeat(900))),
    };
    expect(payloadProblems(renderAnswer(answer) as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe("escaping", () => {
  it("makes mentions and Markdown inert", () => {
    expect(escapeForDiscord("@everyone <@123> <@!45> <@&67> <#89> @here")).toBe(
      "@\u200beveryone <\\@123> <\\@!45> <\\@&67> <\\#89> @\u200bhere",
    );
    expect(escapeForDiscord("**b** _i_ ~~s~~ ||x|| `c` > q")).toBe(
      "\\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~ \\|\\|x\\|\\| \\`c\\` > q",
    );
    expect(escapeForDiscord("> quote\n# heading")).toBe("\\> quote\n\\# heading");
  });
});

describe("trimToLimit", () => {
  it("returns short text unchanged and cuts long text at a sentence end", () => {
    expect(trimToLimit("Short.", 10)).toBe("Short.");
    const t = trimToLimit("One sentence here. Two sentences here. Three sentences here.", 45);
    expect(t).toBe("One sentence here. Two sentences here. …");
    expect(t.length).toBeLessThanOrEqual(45);
  });
  it("cuts at a word when there is no sentence end, and never leaves a dangling escape", () => {
    expect(trimToLimit("alpha beta gamma delta epsilon", 20)).toBe("alpha beta gamma…");
    expect(trimToLimit("abc\\\\\\def", 5).endsWith("\\…")).toBe(false);
  });
});

describe("quoted text and URLs never make a live link", () => {
  /** Live masked links in Discord Markdown: an unescaped "[label](http…)". */
  const liveLinks = (markdown: string) =>
    [...markdown.matchAll(/(\\*)\[([^\]\n]*)\]\((https?:[^)\s]+)\)/g)].filter(
      (m) => (m[1]?.length ?? 0) % 2 === 0,
    );

  it("escapes every masked link in a quoted line, not only the first", () => {
    const text =
      "Apply at [the city portal](https://evil.example/a) or [download the official permit form](https://evil.example/phish) today.";
    const escaped = escapeForDiscord(text);
    expect(liveLinks(escaped)).toEqual([]);
    const { embeds } = renderAnswer({ question: "permits", status: "answered", quotes: [quote(1, text)] });
    const description = embeds[0]?.description ?? "";
    expect(liveLinks(description).map((m) => m[3])).toEqual([
      expect.stringMatching(/^https:\/\/news\.example\.com\/1/),
    ]);
  });

  it("keeps a hostile article URL to one link that goes where the URL says", () => {
    const hostile: Quote = {
      ...quote(2, "The dam will cost 40 million euros."),
      link: null,
      article: { ...article(2), url: "https://news.example.com/a)[win a prize](https://evil.example/x" },
    };
    const { embeds, components } = renderAnswer({ question: "dam", status: "answered", quotes: [hostile] });
    const links = liveLinks(embeds[0]?.description ?? "");
    expect(links).toHaveLength(1);
    expect(links[0]?.[3]).toBe("https://news.example.com/a%29%5Bwin%20a%20prize%5D%28https://evil.example/x");
    expect(JSON.stringify(components)).not.toContain("(https://evil");
  });

  it("drops a link target that is not an http(s) URL", () => {
    const sneaky: Quote = {
      ...quote(3, "Text."),
      link: null,
      article: { ...article(3), url: "javascript:alert(1)" },
    };
    const { embeds } = renderAnswer({ question: "x", status: "answered", quotes: [sneaky] });
    expect(embeds[0]?.description).not.toContain("javascript:");
  });
});
