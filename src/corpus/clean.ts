/**
 * Cleaning: whitespace normalisation and the boilerplate rules, in one place.
 * Rules look at whole paragraphs, never inside sentences, so that an article's own words are never altered.
 */

/** A boilerplate rule: a paragraph it matches is dropped, and with `dropRest` so is everything after it. */
export interface BoilerplateRule {
  name: string;
  /** What it removes, for the README and for tests. */
  description: string;
  matches(paragraph: string): boolean;
  dropRest?: boolean;
}

const short = (p: string, max: number) => p.length <= max;

/** Every rule, in the order they are tried. */
export const BOILERPLATE_RULES: readonly BoilerplateRule[] = [
  {
    name: "share-prompt",
    description: 'Share prompts: "Please follow and like us:", "Share this:", "Share on Facebook", "Tweet"',
    matches: (p) =>
      short(p, 80) &&
      /^(please\s+)?(follow\s+(and|&)\s+like\s+us|share\s+(this|the\s+(article|story|post))(\s+(article|story|post))?|share\s+on\s+\w+|like\s+this|spread\s+the\s+love|share|tweet|print|email|share\s+via\s+email)\s*[:.!]?$/i.test(
        p,
      ),
  },
  {
    name: "hit-counter",
    description: 'View and hit counters: "Hits: 36", "Views: 1,204", "1,204 views"',
    matches: (p) =>
      short(p, 40) &&
      (/^(hits|views|page\s*views|visits|reads)\s*[:：]?\s*[\d,.]+\s*$/i.test(p) ||
        /^[\d,.]+\s+(hits|views|reads|visits)$/i.test(p)),
  },
  {
    name: "comment-form",
    description:
      'Comment sections and forms: "Leave a Reply", "Leave a comment", "Your email address will not be published", and all that follows',
    dropRest: true,
    matches: (p) =>
      short(p, 200) &&
      (/^(leave\s+a\s+(reply|comment)|post\s+a\s+comment|add\s+a\s+comment|\d+\s+comments?|comments?)\s*(cancel\s+reply)?\s*[:.]?$/i.test(
        p,
      ) ||
        /^your\s+email\s+address\s+will\s+not\s+be\s+published/i.test(p)),
  },
  {
    name: "cookie-banner",
    description: 'Cookie banners: "We use cookies to …", "This website uses cookies", "Accept all cookies"',
    matches: (p) =>
      short(p, 400) &&
      /\b(we\s+use\s+cookies|(this|our)\s+(web)?site\s+uses\s+cookies|accept\s+(all\s+)?cookies|cookie\s+(policy|settings|preferences))\b/i.test(
        p,
      ),
  },
  {
    name: "related-posts",
    description:
      'Lists of other articles: "Related posts", "You may also like", "Read more", and the list after such a heading',
    dropRest: true,
    matches: (p) =>
      short(p, 60) &&
      /^(related\s+(posts?|articles?|stories|news|content)|you\s+(may|might)\s+also\s+like|more\s+(stories|news|articles)(\s+from\s+.+)?|recommended(\s+for\s+you)?|popular\s+posts|recent\s+posts|read\s+(more|next|also)|see\s+also)\s*[:.]?$/i.test(
        p,
      ),
  },
  {
    name: "navigation-crumbs",
    description:
      'Breadcrumbs and post navigation: "Home » News » Title", "← Previous post", "Next article →"',
    matches: (p) =>
      short(p, 250) &&
      (/^(home|start|main)\s*(»|›|>|\/|\||→|::)/i.test(p) ||
        /^(←|«)?\s*(previous|next|older|newer)\s+(post|article|story|entry)\s*(→|»)?\s*[:.]?/i.test(p) ||
        /^skip\s+to\s+(main\s+)?content$/i.test(p)),
  },
  {
    name: "newsletter-prompt",
    description: 'Newsletter and subscription prompts: "Subscribe to our newsletter", "Sign up for …"',
    matches: (p) =>
      short(p, 160) &&
      /^(subscribe(\s+(to|for)\s+.*)?|sign\s+up\s+(for|to)\s+.*(newsletter|updates|alerts).*|get\s+our\s+newsletter.*)[.!:]?$/i.test(
        p,
      ),
  },
  {
    name: "tags-and-categories",
    description: 'Taxonomy lines: "Tags: a, b", "Filed under: …", "Categories: …", "Posted in …"',
    matches: (p) =>
      short(p, 300) && /^(tags?|tagged(\s+with)?|filed\s+under|categor(y|ies)|posted\s+in)\s*:/i.test(p),
  },
  {
    name: "copyright",
    description: 'Copyright footers: "© 2018 Site. All rights reserved."',
    matches: (p) =>
      short(p, 200) && (/^(©|\(c\)|copyright\b)/i.test(p) || /\ball\s+rights\s+reserved\.?$/i.test(p)),
  },
];

/** The result of cleaning: the text and what was taken out, by rule. */
export interface CleanResult {
  text: string;
  removed: { rule: string; text: string }[];
}

/**
 * Normalise whitespace: one space between words, lines inside a paragraph joined,
 * paragraphs separated by exactly one blank line, invisible characters dropped.
 */
export function normalizeWhitespace(raw: string): string {
  const text = raw
    .replace(/\r\n?/g, "\n")
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, "")
    .replace(/[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, " ");
  return splitParagraphs(text)
    .map((p) =>
      p
        .split("\n")
        .map((line) => line.replace(/ {2,}/g, " ").trim())
        .filter((line) => line.length > 0)
        .join(" "),
    )
    .filter((p) => p.length > 0)
    .join("\n\n");
}

/** Split on blank lines (a line holding only spaces counts as blank). */
export function splitParagraphs(text: string): string[] {
  return text.split(/\n[ \t]*\n+/);
}

/** Normalise whitespace and drop every paragraph a boilerplate rule matches. */
export function cleanText(raw: string, rules: readonly BoilerplateRule[] = BOILERPLATE_RULES): CleanResult {
  const paragraphs = splitParagraphs(normalizeWhitespace(raw));
  const kept: string[] = [];
  const removed: CleanResult["removed"] = [];
  for (let i = 0; i < paragraphs.length; i++) {
    const paragraph = paragraphs[i] ?? "";
    const rule = rules.find((r) => r.matches(paragraph));
    if (!rule) {
      kept.push(paragraph);
      continue;
    }
    removed.push({ rule: rule.name, text: paragraph });
    if (rule.dropRest) {
      for (const rest of paragraphs.slice(i + 1)) removed.push({ rule: rule.name, text: rest });
      break;
    }
  }
  return { text: kept.join("\n\n"), removed };
}
