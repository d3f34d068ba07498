import { finalizeArticle } from "../corpus/article.js";
import { jsonlDrafts } from "../corpus/jsonl-stream.js";
import { emptyAfterCleaning } from "../corpus/load.js";
import { type PreparedArticle, prepareArticle } from "../index/prepare.js";

/** A JSONL file's articles, hashed and chunked, line by line (on the reader thread for a large file). */
export async function* preparedLines(
  file: string,
  source: string,
  fetchedAt: string,
  onBytes: (read: number) => void,
): AsyncGenerator<PreparedArticle | string> {
  for await (const item of jsonlDrafts(file, source, onBytes)) {
    if (typeof item === "string") yield item;
    else {
      const article = finalizeArticle(item, fetchedAt);
      yield article ? prepareArticle(article) : emptyAfterCleaning(item.source);
    }
  }
}
