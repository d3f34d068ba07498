import type { SqlConnection } from "./sql.js";

/** Source files and the articles each produced when last ingested: what makes file ingest incremental. */
export class SourceStore {
  constructor(private readonly sql: SqlConnection) {}

  /** The content hash recorded for a source file, if it was ingested. */
  hash(file: string): string | null {
    return this.sql.get<{ hash: string }>("SELECT hash FROM sources WHERE path = ?", [file])?.hash ?? null;
  }

  /** Article ids a source file produced when last ingested. */
  articles(file: string): string[] {
    return this.sql
      .all<{ article_id: string }>("SELECT article_id FROM source_articles WHERE path = ?", [file])
      .map((r) => r.article_id);
  }

  /** Record what a source file produced. */
  put(file: string, hash: string, articleIds: string[], now = new Date().toISOString()): void {
    this.sql.run(
      "INSERT INTO sources (path, hash, ingested_at) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET hash = excluded.hash, ingested_at = excluded.ingested_at",
      [file, hash, now],
    );
    this.sql.run("DELETE FROM source_articles WHERE path = ?", [file]);
    for (const id of articleIds)
      this.sql.run("INSERT INTO source_articles (path, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [
        file,
        id,
      ]);
  }

  /** Forget a source file; returns its article ids that no other source still provides. */
  delete(file: string): string[] {
    const orphans = this.articles(file).filter((id) => !this.claimedElsewhere(id, file));
    this.sql.run("DELETE FROM sources WHERE path = ?", [file]);
    return orphans;
  }

  /** Whether another source than `file` provides the article. */
  claimedElsewhere(articleId: string, file: string): boolean {
    const row = this.sql.get<{ n: number }>(
      "SELECT count(*) AS n FROM source_articles WHERE article_id = ? AND path != ?",
      [articleId, file],
    );
    return Number(row?.n ?? 0) > 0;
  }

  /** When a source file was last ingested. */
  ingestedAt(file: string): string | null {
    return (
      this.sql.get<{ ingested_at: string }>("SELECT ingested_at FROM sources WHERE path = ?", [file])
        ?.ingested_at ?? null
    );
  }

  /** Every source file path the index knows. */
  all(): string[] {
    return this.sql.all<{ path: string }>("SELECT path FROM sources").map((r) => r.path);
  }
}
