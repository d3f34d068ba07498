import { createHash } from "node:crypto";
import type { Article, Passage } from "../types.js";
import { chunkArticle } from "./chunk.js";

/** An article with what writing it needs worked out beforehand: pure work a reader thread can do. */
export interface PreparedArticle {
  article: Article;
  /** `articleHash(article)`: an article whose hash is stored already is left as it is. */
  hash: string;
  /** `chunkArticle(article.id, article.text)`. */
  passages: Passage[];
}

/** A content hash of everything a reader sees of an article; an unchanged hash means nothing to rewrite. */
export function articleHash(article: Article): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        article.url,
        article.title,
        article.site,
        article.publishedAt,
        article.author,
        article.text,
      ]),
    )
    .digest("hex");
}

/** Hash and chunk an article for `IndexStore.upsertPrepared`. */
export function prepareArticle(article: Article): PreparedArticle {
  return { article, hash: articleHash(article), passages: chunkArticle(article.id, article.text) };
}
