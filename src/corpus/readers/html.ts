import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { normalizeDate, type ReadResult, str } from "../article.js";

const BLOCK =
  /^(ADDRESS|ARTICLE|ASIDE|BLOCKQUOTE|DD|DIV|DL|DT|FIGCAPTION|FIGURE|FOOTER|H[1-6]|HEADER|HR|LI|MAIN|OL|P|PRE|SECTION|TABLE|TR|UL|BR)$/;
const SKIP = /^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|SVG|IFRAME|FORM|BUTTON|NAV)$/;

/** Text of an element with a blank line between blocks, so paragraphs survive. */
export function elementToText(root: Node): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === 3) {
      out.push((node.textContent ?? "").replace(/\s+/g, " "));
      return;
    }
    if (node.nodeType !== 1) return;
    const tag = (node as Element).tagName.toUpperCase();
    if (SKIP.test(tag)) return;
    const block = BLOCK.test(tag);
    if (block) out.push("\n\n");
    for (const child of Array.from(node.childNodes)) walk(child);
    if (block) out.push("\n\n");
  };
  walk(root);
  return out.join("");
}

function meta(document: Document, ...selectors: string[]): string | null {
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    const value = str(
      el?.getAttribute("content") ?? el?.getAttribute("href") ?? el?.getAttribute("datetime"),
    );
    if (value) return value;
  }
  return null;
}

/** Read an HTML page: main content by Readability, metadata from canonical link, Open Graph and article tags. */
export function readHtml(html: string, source: string, baseUrl?: string): ReadResult {
  const { document } = parseHTML(html);
  const canonical = meta(document, 'link[rel="canonical"]', 'meta[property="og:url"]');
  const url = canonical ? resolveUrl(canonical, baseUrl) : (baseUrl ?? null);
  const published = meta(
    document,
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="date"]',
    'meta[name="pubdate"]',
    "time[datetime]",
  );
  const ogTitle = meta(document, 'meta[property="og:title"]', 'meta[name="twitter:title"]');
  const siteName = meta(document, 'meta[property="og:site_name"]', 'meta[name="application-name"]');
  const authorMeta = meta(document, 'meta[name="author"]', 'meta[property="article:author"]');
  // Readability mutates the document it is given, so metadata is read first.
  const parsed = new Readability<Node>(document as unknown as Document, {
    serializer: (node) => node,
    charThreshold: 100,
  }).parse();
  const body = parsed?.content ? elementToText(parsed.content) : elementToText(document.body ?? document);
  return {
    drafts: [
      {
        title: ogTitle ?? str(parsed?.title) ?? str(document.title),
        url,
        site: siteName ?? str(parsed?.siteName),
        publishedAt: normalizeDate(published ?? parsed?.publishedTime),
        author: authorMeta ?? str(parsed?.byline),
        body,
        source,
      },
    ],
    warnings: parsed ? [] : [`${source}: no main content found; the whole page text was used`],
  };
}

function resolveUrl(href: string, base?: string): string | null {
  try {
    return new URL(href, base).toString();
  } catch {
    return null;
  }
}
