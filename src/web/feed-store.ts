import type { IndexStore } from "../index/store.js";

export type { FeedRecord, FeedTable as FeedStore } from "../index/feed-table.js";

/** Feeds and the items already taken from them, kept in the index database beside the articles they produced. */
export function createFeedStore(store: IndexStore) {
  return store.feeds;
}
