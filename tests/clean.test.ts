import { describe, expect, it } from "vitest";
import { BOILERPLATE_RULES, cleanText, normalizeWhitespace } from "../src/corpus/clean.js";

const article = "The council approved the plan on Monday.";

/** Each rule: paragraphs it must remove, and article sentences that merely resemble them and must stay. */
const cases: Record<string, { removes: string[]; keeps: string[] }> = {
  "share-prompt": {
    removes: ["Please follow and like us:", "Share this:", "Share on Facebook", "Tweet", "Print"],
    keeps: ["Please share this article's findings with the committee, the minister said."],
  },
  "hit-counter": {
    removes: ["Hits: 36", "Views: 1,204", "1,204 views"],
    keeps: ["Hits: the album sold 36 million copies in its first year."],
  },
  "comment-form": {
    removes: [
      "Leave a Reply",
      "Your email address will not be published. Required fields are marked *",
      "3 Comments",
    ],
    keeps: ["Residents were asked to leave a reply card at the town hall before Friday."],
  },
  "cookie-banner": {
    removes: ["We use cookies to improve your experience. Accept all cookies."],
    keeps: ["The bakery sold 4,000 cookies at the fair."],
  },
  "related-posts": {
    removes: ["Related posts", "You may also like:", "Read more"],
    keeps: ["Read more about the budget in the ministry's report, officials said."],
  },
  "navigation-crumbs": {
    removes: ["Home » News » Rare earth", "← Previous post", "Skip to content"],
    keeps: ["Home prices rose 4% in the capital last year."],
  },
  "newsletter-prompt": {
    removes: ["Subscribe to our newsletter", "Sign up for our daily newsletter!"],
    keeps: ["Subscribers to the service grew by a third, the company said."],
  },
  "tags-and-categories": {
    removes: ["Tags: rare earth, China, mining", "Filed under: Energy"],
    keeps: ["Tags on the shipping containers showed they came from Baotou."],
  },
  copyright: {
    removes: ["© 2023 Coastal Times. All rights reserved.", "Copyright 2018 Global REEs Venture"],
    keeps: ["The court ruled that the copyright on the song had expired in 2015 after a long dispute."],
  },
};

describe("boilerplate rules", () => {
  it("has a test case for every rule", () => {
    expect(Object.keys(cases).sort()).toEqual(BOILERPLATE_RULES.map((r) => r.name).sort());
  });

  for (const rule of BOILERPLATE_RULES) {
    describe(rule.name, () => {
      const c = cases[rule.name] ?? { removes: [], keeps: [] };
      for (const junk of c.removes) {
        it(`removes "${junk}"`, () => {
          const { text, removed } = cleanText(`${article}\n\n${junk}`);
          expect(text).toBe(article);
          expect(removed.map((r) => r.rule)).toContain(rule.name);
        });
      }
      for (const keep of c.keeps) {
        it(`keeps "${keep}"`, () => {
          expect(cleanText(`${article}\n\n${keep}`).text).toBe(`${article}\n\n${keep}`);
        });
      }
    });
  }

  it("drops the whole comment section after 'Leave a Reply'", () => {
    const raw = `${article}\n\nLeave a Reply\n\nJohn: great post!\n\nPost Comment`;
    expect(cleanText(raw).text).toBe(article);
  });

  it("cleans the seed article's scraped footer", () => {
    const raw = `${article}\n\nPlease follow and like us:\n\nHits: 36\n\nLeave a Reply\n\nYour email address will not be published. Required fields are marked *`;
    expect(cleanText(raw).text).toBe(article);
  });
});

describe("whitespace", () => {
  it("joins lines inside a paragraph and keeps paragraphs apart", () => {
    expect(normalizeWhitespace("  One line\r\nwrapped\there.\n\n\n\nSecond\u00a0 paragraph. \n")).toBe(
      "One line wrapped here.\n\nSecond paragraph.",
    );
  });
  it("drops invisible characters", () => {
    expect(normalizeWhitespace("\ufeffZero\u200bwidth")).toBe("Zerowidth");
  });
});
