import { VerbatimError } from "../errors.js";
import type { IndexStore } from "./store.js";

/** Vectors written by one call when copying (PostgreSQL: each call is a round trip). */
const COPY_VECTORS = 500;

/** What `copyIndex` moved. */
export interface CopyReport {
  articles: number;
  passages: number;
  sources: number;
  feeds: number;
  feedItems: number;
  vectors: number;
}

/**
 * Copy a whole index into an empty one (SQLite into PostgreSQL when scaling out, or back): articles with the time
 * each was first seen and its sequence number, so digests neither repeat nor skip anything, the source files that
 * make ingest incremental, followed feeds with the items already taken, and vectors. Nothing is fetched again, and
 * passages are cut from the same text by the same rules, so their offsets are the same. One transaction: a copy
 * that fails leaves the target empty.
 */
export function copyIndex(
  from: IndexStore,
  to: IndexStore,
  onArticle?: (copied: number) => void,
): CopyReport {
  const held = to.stats().articles;
  if (held > 0)
    throw new VerbatimError(
      "USAGE",
      `The index at ${to.path} already holds ${held} article(s): copy into an empty index, so that article numbers (which digests rely on) stay as they were.`,
    );
  if (from.language !== to.language)
    throw new VerbatimError(
      "USAGE",
      `The index at ${from.path} is in "${from.language}" and the one at ${to.path} in "${to.language}": set INDEX_LANGUAGE=${from.language} for a new target.`,
    );
  const report: CopyReport = { articles: 0, passages: 0, sources: 0, feeds: 0, feedItems: 0, vectors: 0 };
  to.transaction(() => {
    for (const { article, origin } of from.exportArticles()) {
      to.importArticle(article, origin);
      onArticle?.(++report.articles);
    }
    for (const file of from.sources.all()) {
      to.sources.put(
        file,
        from.sources.hash(file) ?? "",
        from.sources.articles(file),
        from.sources.ingestedAt(file) ?? undefined,
      );
      report.sources++;
    }
    for (const feed of from.feeds.all()) {
      to.feeds.add(feed.url, feed.intervalMinutes, feed.addedBy);
      to.feeds.update(feed);
      report.feeds++;
    }
    for (const item of from.feeds.items()) {
      to.feeds.record(item.feedUrl, item.guid, item.url, item.articleId, new Date(item.seenAt));
      report.feedItems++;
    }
    for (const model of from.embeddings.models()) {
      let batch: [string, Float32Array][] = [];
      const write = () => {
        to.embeddings.putMany(model, batch);
        report.vectors += batch.length;
        batch = [];
      };
      for (const { hash, vector } of from.embeddings.vectors(model)) {
        const copy = vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength);
        batch.push([hash, new Float32Array(copy)]);
        if (batch.length >= COPY_VECTORS) write();
      }
      write();
    }
    if (report.articles > 0) to.bumpVersion(from.stats().lastIngestAt ?? undefined);
  });
  report.passages = to.totalPassages();
  return report;
}
