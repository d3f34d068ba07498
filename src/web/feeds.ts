import { parseFeed } from "@rowanmanning/feed-parser";
import { VerbatimError } from "../errors.js";

/** A feed item, whichever format it came in. */
export interface FeedItem {
  guid: string | null;
  url: string | null;
  title: string | null;
  published: string | null;
  author: string | null;
  /** Full content (HTML or text) when the feed carries it. */
  content: string | null;
}

/** A parsed feed. */
export interface ParsedFeed {
  title: string | null;
  items: FeedItem[];
}

/** Parse RSS 2.0, Atom or JSON Feed; throws with a clear message when the document is none of them. */
export function parseFeedDocument(body: string, contentType: string): ParsedFeed {
  const text = body.replace(/^\ufeff/, "").trimStart();
  if (/json/i.test(contentType) || text.startsWith("{")) return parseJsonFeed(text);
  let feed: ReturnType<typeof parseFeed>;
  try {
    feed = parseFeed(text);
  } catch (error) {
    throw new VerbatimError("UNREADABLE", `not an RSS, Atom or JSON feed (${(error as Error).message})`);
  }
  return {
    title: feed.title,
    items: feed.items.map((item) => ({
      guid: item.id,
      url: item.url,
      title: item.title,
      published: item.published?.toISOString() ?? item.updated?.toISOString() ?? null,
      author: item.authors[0]?.name ?? null,
      content: item.content ?? item.description,
    })),
  };
}

function parseJsonFeed(text: string): ParsedFeed {
  let data: { version?: unknown; title?: unknown; items?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch (error) {
    throw new VerbatimError("UNREADABLE", `not valid JSON (${(error as Error).message})`);
  }
  if (
    typeof data.version !== "string" ||
    !data.version.includes("jsonfeed.org") ||
    !Array.isArray(data.items)
  ) {
    throw new VerbatimError("UNREADABLE", "not a JSON Feed (https://jsonfeed.org)");
  }
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : null);
  return {
    title: str(data.title),
    items: data.items.map((raw) => {
      const item = (raw ?? {}) as Record<string, unknown>;
      const authors = Array.isArray(item.authors) ? (item.authors as { name?: unknown }[]) : [];
      return {
        guid: str(item.id) ?? (typeof item.id === "number" ? String(item.id) : null),
        url: str(item.url) ?? str(item.external_url),
        title: str(item.title),
        published: str(item.date_published) ?? str(item.date_modified),
        author: str(authors[0]?.name) ?? str((item.author as { name?: unknown } | undefined)?.name),
        content: str(item.content_html) ?? str(item.content_text),
      };
    }),
  };
}
