import type { SqlConnection } from "./sql.js";
/** A followed feed and how its polling goes. */
export interface FeedRecord {
  url: string;
  title: string | null;
  intervalMinutes: number;
  etag: string | null;
  lastModified: string | null;
  lastPollAt: string | null;
  lastOkAt: string | null;
  nextPollAt: string;
  failures: number;
  error: string | null;
  items: number;
  addedBy: string | null;
}

/** The feeds tables (created by the index migrations). */
export const FEEDS_SCHEMA = `
CREATE TABLE IF NOT EXISTS feeds (
  url TEXT PRIMARY KEY, title TEXT, interval_minutes INTEGER NOT NULL, etag TEXT, last_modified TEXT,
  last_poll_at TEXT, last_ok_at TEXT, next_poll_at TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, error TEXT,
  items INTEGER NOT NULL DEFAULT 0, added_by TEXT
);
CREATE TABLE IF NOT EXISTS feed_items (
  feed_url TEXT NOT NULL, guid TEXT, url TEXT, article_id TEXT NOT NULL, seen_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feed_items_guid ON feed_items(feed_url, guid);
CREATE INDEX IF NOT EXISTS feed_items_url ON feed_items(url);
`;

type Row = {
  url: string;
  title: string | null;
  interval_minutes: number;
  etag: string | null;
  last_modified: string | null;
  last_poll_at: string | null;
  last_ok_at: string | null;
  next_poll_at: string;
  failures: number;
  error: string | null;
  items: number;
  added_by: string | null;
};

const toRecord = (r: Row): FeedRecord => ({
  url: r.url,
  title: r.title,
  intervalMinutes: r.interval_minutes,
  etag: r.etag,
  lastModified: r.last_modified,
  lastPollAt: r.last_poll_at,
  lastOkAt: r.last_ok_at,
  nextPollAt: r.next_poll_at,
  failures: r.failures,
  error: r.error,
  items: r.items,
  addedBy: r.added_by,
});

/** Feeds and the items already taken from them, kept in the index database beside the articles they produced. */
export function createFeedTable(sql: SqlConnection) {
  return {
    add(url: string, intervalMinutes: number, addedBy: string | null, now = new Date()): boolean {
      return (
        sql.run(
          "INSERT INTO feeds (url, interval_minutes, next_poll_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
          [url, intervalMinutes, now.toISOString(), addedBy],
        ).changes > 0
      );
    },
    remove(url: string): boolean {
      sql.run("DELETE FROM feed_items WHERE feed_url = ?", [url]);
      return sql.run("DELETE FROM feeds WHERE url = ?", [url]).changes > 0;
    },
    get(url: string): FeedRecord | null {
      const row = sql.get<Row>("SELECT * FROM feeds WHERE url = ?", [url]);
      return row ? toRecord(row) : null;
    },
    all(): FeedRecord[] {
      return sql.all<Row>("SELECT * FROM feeds ORDER BY url").map(toRecord);
    },
    due(now: Date): FeedRecord[] {
      return sql
        .all<Row>("SELECT * FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at", [now.toISOString()])
        .map(toRecord);
    },
    update(feed: FeedRecord): void {
      sql.run(
        `UPDATE feeds SET title = ?, interval_minutes = ?, etag = ?, last_modified = ?, last_poll_at = ?, last_ok_at = ?,
         next_poll_at = ?, failures = ?, error = ?, items = ? WHERE url = ?`,
        [
          feed.title,
          feed.intervalMinutes,
          feed.etag,
          feed.lastModified,
          feed.lastPollAt,
          feed.lastOkAt,
          feed.nextPollAt,
          feed.failures,
          feed.error,
          feed.items,
          feed.url,
        ],
      );
    },
    /** Whether an item was taken before: by GUID from this feed, or by canonical URL from any feed. */
    seen(feedUrl: string, guid: string | null, url: string | null): boolean {
      if (guid && sql.get("SELECT 1 AS one FROM feed_items WHERE feed_url = ? AND guid = ?", [feedUrl, guid]))
        return true;
      return Boolean(url && sql.get("SELECT 1 AS one FROM feed_items WHERE url = ?", [url]));
    },
    /** Every item taken from any feed (for copying an index). */
    items(): {
      feedUrl: string;
      guid: string | null;
      url: string | null;
      articleId: string;
      seenAt: string;
    }[] {
      return sql
        .all<{
          feed_url: string;
          guid: string | null;
          url: string | null;
          article_id: string;
          seen_at: string;
        }>("SELECT feed_url, guid, url, article_id, seen_at FROM feed_items ORDER BY seen_at")
        .map((r) => ({
          feedUrl: r.feed_url,
          guid: r.guid,
          url: r.url,
          articleId: r.article_id,
          seenAt: r.seen_at,
        }));
    },
    record(
      feedUrl: string,
      guid: string | null,
      url: string | null,
      articleId: string,
      now = new Date(),
    ): void {
      sql.run("INSERT INTO feed_items (feed_url, guid, url, article_id, seen_at) VALUES (?, ?, ?, ?, ?)", [
        feedUrl,
        guid,
        url,
        articleId,
        now.toISOString(),
      ]);
    },
  };
}

/** The feeds table's operations. */
export type FeedTable = ReturnType<typeof createFeedTable>;
