import { finalizeArticle, normalizeDate } from "../corpus/article.js";
import { canonicalUrl } from "../corpus/identity.js";
import { readHtml } from "../corpus/readers/html.js";
import { VerbatimError } from "../errors.js";
import type { FeedRecord, FeedTable } from "../index/feed-table.js";
import type { IndexStore } from "../index/store.js";
import { afterChange } from "../ingest/after-change.js";
import type { Logger } from "../log.js";
import type { Embedder } from "../search/vectors.js";
import type { Article } from "../types.js";
import { type FeedItem, parseFeedDocument } from "./feeds.js";
import type { Fetched, Fetcher } from "./fetch.js";

/** What web ingest needs. */
export interface WebDeps {
  store: IndexStore;
  fetcher: Fetcher;
  feeds: FeedTable;
  log: Logger;
  embedder?: Embedder;
}

/** Feed content shorter than this (as text) is a teaser: the page is fetched instead. */
export const FULL_TEXT_CHARS = 300;

/** An article from a fetched page: main content, metadata, and the canonical URL as its identity. */
export function articleFromPage(page: Fetched): Article | null {
  const { drafts } = readHtml(page.body, page.url, page.url);
  const draft = drafts[0];
  if (!draft) return null;
  return finalizeArticle({ ...draft, url: draft.url ?? page.url, source: page.url });
}

function looksLikeFeed(page: Fetched): boolean {
  return /(rss|atom|rdf|xml|json)/i.test(page.contentType) && !/html/i.test(page.contentType);
}

/** The outcome of adding a URL: an article, or a feed that is now followed. */
export type AddUrlResult =
  | { kind: "article"; article: Article; outcome: string }
  | { kind: "feed"; feed: FeedRecord; added: number };

/** Fetch a URL and index it: a page becomes an article; a feed is followed (and polled once now). */
export async function addUrl(
  deps: WebDeps,
  url: string,
  options: { addedBy?: string | null; intervalMinutes?: number } = {},
): Promise<AddUrlResult> {
  const page = await deps.fetcher.fetch(url, "html-or-feed");
  if (looksLikeFeed(page)) {
    parseFeedDocument(page.body, page.contentType);
    deps.feeds.add(page.url, options.intervalMinutes ?? 30, options.addedBy ?? null);
    const feed = deps.feeds.get(page.url);
    if (!feed) throw new VerbatimError("UNREADABLE", "the feed could not be saved");
    const added = await pollFeed(deps, feed, new Date(), page);
    return { kind: "feed", feed: deps.feeds.get(page.url) ?? feed, added };
  }
  const article = articleFromPage(page);
  if (!article) throw new VerbatimError("UNREADABLE", "no article text was found on that page");
  const outcome = deps.store.transaction(() => {
    const o = deps.store.upsertArticle(article);
    if (o !== "unchanged") deps.store.bumpVersion();
    return o;
  });
  if (outcome !== "unchanged") await afterChange(deps);
  return { kind: "article", article, outcome };
}

/** Minutes to wait after `failures` failed polls in a row: doubling from the interval, at most a day. */
export function feedBackoffMinutes(intervalMinutes: number, failures: number): number {
  return Math.min(24 * 60, intervalMinutes * 2 ** Math.min(failures, 10));
}

/**
 * Poll one feed: a conditional request (ETag / Last-Modified), then each item not seen before (by GUID, and by
 * canonical URL so a feed that changes GUIDs does not repost) is indexed from the feed's full text, or its page.
 * Returns the number of articles added. Failures are recorded on the feed with back-off, never thrown.
 */
export async function pollFeed(
  deps: WebDeps,
  feed: FeedRecord,
  now: Date,
  prefetched?: Fetched,
): Promise<number> {
  const record: FeedRecord = { ...feed, lastPollAt: now.toISOString() };
  let added = 0;
  try {
    const page =
      prefetched ??
      (await deps.fetcher.fetch(feed.url, "feed", { etag: feed.etag, lastModified: feed.lastModified }));
    record.etag = page.etag ?? record.etag;
    record.lastModified = page.lastModified ?? record.lastModified;
    if (!page.notModified) {
      const parsed = parseFeedDocument(page.body, page.contentType);
      record.title = parsed.title ?? record.title;
      for (const item of parsed.items) {
        const itemUrl = item.url ? (canonicalUrl(new URL(item.url, feed.url).toString()) ?? null) : null;
        if (deps.feeds.seen(feed.url, item.guid, itemUrl)) continue;
        if (!item.guid && !itemUrl) continue;
        try {
          const article = await articleForItem(deps, item, itemUrl, feed);
          if (!article) continue;
          const outcome = deps.store.transaction(() => {
            const o = deps.store.upsertArticle(article);
            deps.feeds.record(feed.url, item.guid, itemUrl ?? article.url, article.id, now);
            if (o !== "unchanged") deps.store.bumpVersion();
            return o;
          });
          if (outcome === "added") added++;
        } catch (error) {
          deps.log.warn({ feed: feed.url, item: itemUrl ?? item.guid, err: error }, "feed item skipped");
        }
      }
    }
    record.items += added;
    record.failures = 0;
    record.error = null;
    record.lastOkAt = now.toISOString();
    record.nextPollAt = new Date(now.getTime() + record.intervalMinutes * 60_000).toISOString();
  } catch (error) {
    record.failures += 1;
    record.error = (error as Error).message;
    record.nextPollAt = new Date(
      now.getTime() + feedBackoffMinutes(record.intervalMinutes, record.failures) * 60_000,
    ).toISOString();
    deps.log.warn({ feed: feed.url, failures: record.failures, error: record.error }, "feed poll failed");
  }
  deps.feeds.update(record);
  if (added > 0) await afterChange(deps);
  return added;
}

async function articleForItem(
  deps: WebDeps,
  item: FeedItem,
  itemUrl: string | null,
  feed: FeedRecord,
): Promise<Article | null> {
  const source = itemUrl ?? feed.url;
  if (item.content) {
    // HTML content goes through the same extraction as a page; plain text (JSON Feed's content_text) is kept as is.
    const body = /<[a-z][^>]*>/i.test(item.content)
      ? (readHtml(`<html><body><article>${item.content}</article></body></html>`, source).drafts[0]?.body ??
        "")
      : item.content;
    const full = finalizeArticle({
      title: item.title,
      url: itemUrl,
      publishedAt: normalizeDate(item.published),
      author: item.author,
      body,
      source,
    });
    if (full && full.text.length >= FULL_TEXT_CHARS) return full;
  }
  if (!itemUrl) return null;
  const article = articleFromPage(await deps.fetcher.fetch(itemUrl, "html"));
  if (!article) return null;
  return { ...article, publishedAt: article.publishedAt ?? normalizeDate(item.published) };
}

/** Polls due feeds on a timer, a few at a time; ingest runs beside answering, never in its way. */
export class FeedPoller {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly deps: WebDeps,
    private readonly clock: () => Date = () => new Date(),
    /** Whether this process may poll now (it holds the polling lease); default always. */
    private readonly mayRun: () => boolean = () => true,
  ) {}

  /** Poll every due feed once; returns how many articles were added. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const due = this.deps.feeds.due(this.clock());
      const counts = await Promise.all(due.map((f) => pollFeed(this.deps, f, this.clock())));
      return counts.reduce((a, b) => a + b, 0);
    } finally {
      this.running = false;
    }
  }

  start(everyMs = 30_000): void {
    const loop = async () => {
      // Several processes may share the index: only the one holding the polling lease polls.
      if (this.mayRun())
        await this.tick().catch((err: unknown) => this.deps.log.error({ err }, "feed polling failed"));
      this.timer = setTimeout(loop, everyMs).unref();
    };
    void loop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
