import type Database from "better-sqlite3";

/** Source files and the articles each produced when last ingested: what makes file ingest incremental. */
export class SourceStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      get: db.prepare<[string], { hash: string }>("SELECT hash FROM sources WHERE path = ?"),
      articles: db.prepare<[string], { article_id: string }>(
        "SELECT article_id FROM source_articles WHERE path = ?",
      ),
      put: db.prepare<[string, string, string]>(
        "INSERT INTO sources(path, hash, ingested_at) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, ingested_at = excluded.ingested_at",
      ),
      clear: db.prepare<[string]>("DELETE FROM source_articles WHERE path = ?"),
      add: db.prepare<[string, string]>(
        "INSERT OR IGNORE INTO source_articles(path, article_id) VALUES (?, ?)",
      ),
      delete: db.prepare<[string]>("DELETE FROM sources WHERE path = ?"),
      otherClaims: db.prepare<[string, string], { n: number }>(
        "SELECT count(*) AS n FROM source_articles WHERE article_id = ? AND path != ?",
      ),
      all: db.prepare<[], { path: string }>("SELECT path FROM sources"),
    };
  }

  /** The content hash recorded for a source file, if it was ingested. */
  hash(file: string): string | null {
    return this.stmts.get.get(file)?.hash ?? null;
  }

  /** Article ids a source file produced when last ingested. */
  articles(file: string): string[] {
    return this.stmts.articles.all(file).map((r) => r.article_id);
  }

  /** Record what a source file produced. */
  put(file: string, hash: string, articleIds: string[], now = new Date().toISOString()): void {
    this.stmts.put.run(file, hash, now);
    this.stmts.clear.run(file);
    for (const id of articleIds) this.stmts.add.run(file, id);
  }

  /** Forget a source file; returns its article ids that no other source still provides. */
  delete(file: string): string[] {
    const orphans = this.articles(file).filter((id) => !this.claimedElsewhere(id, file));
    this.stmts.delete.run(file);
    return orphans;
  }

  /** Whether another source than `file` provides the article. */
  claimedElsewhere(articleId: string, file: string): boolean {
    return (this.stmts.otherClaims.get(articleId, file)?.n ?? 0) > 0;
  }

  /** Every source file path the index knows. */
  all(): string[] {
    return this.stmts.all.all().map((r) => r.path);
  }
}
