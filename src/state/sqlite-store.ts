import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { KeyvStoreAdapter, StoredData } from "keyv";

/**
 * A Keyv store over better-sqlite3, so that state needs no second native SQLite module (@keyv/sqlite brings sqlite3).
 * Keys arrive namespaced by Keyv ("namespace:key"); values arrive serialised, with their expiry inside.
 */
export class SqliteKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: { file: string; url: string; dialect: string };
  namespace?: string;
  private readonly db: Database.Database;
  private readonly stmts;

  constructor(file: string) {
    super();
    this.opts = { file, url: `sqlite://${file}`, dialect: "sqlite" };
    if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // Several processes (bot, CLI) may share the file: wait for a writer instead of failing.
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS keyv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)",
    );
    this.stmts = {
      get: this.db.prepare<[string], { value: string; expires: number | null }>(
        "SELECT value, expires FROM keyv WHERE key = ?",
      ),
      set: this.db.prepare<[string, string, number | null]>(
        "INSERT INTO keyv (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
      ),
      delete: this.db.prepare<[string]>("DELETE FROM keyv WHERE key = ?"),
      clearPrefix: this.db.prepare<[string, string]>("DELETE FROM keyv WHERE key >= ? AND key < ?"),
      clearAll: this.db.prepare("DELETE FROM keyv"),
      scan: this.db.prepare<[string, string], { key: string; value: string; expires: number | null }>(
        "SELECT key, value, expires FROM keyv WHERE key >= ? AND key < ? ORDER BY key",
      ),
      purge: this.db.prepare<[number]>("DELETE FROM keyv WHERE expires IS NOT NULL AND expires <= ?"),
    };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const row = this.stmts.get.get(key);
    if (!row) return undefined;
    if (row.expires !== null && row.expires <= Date.now()) {
      this.stmts.delete.run(key);
      return undefined;
    }
    return row.value as StoredData<Value>;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return Promise.all(keys.map((k) => this.get<Value>(k))) as Promise<Array<StoredData<Value | undefined>>>;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    this.stmts.set.run(key, text, typeof ttl === "number" && ttl > 0 ? Date.now() + ttl : null);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return this.stmts.delete.run(key).changes > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    let any = false;
    for (const k of keys) any = (await this.delete(k)) || any;
    return any;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    if (this.namespace) this.stmts.clearPrefix.run(`${this.namespace}:`, `${this.namespace};`);
    else this.stmts.clearAll.run();
  }

  async *iterator<Value>(
    namespace?: string,
  ): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    const prefix = namespace ? `${namespace}:` : "";
    const end = namespace ? `${namespace};` : "\uffff";
    const now = Date.now();
    for (const row of this.stmts.scan.all(prefix, end)) {
      if (row.expires !== null && row.expires <= now) continue;
      yield [row.key, row.value as Awaited<Value>];
    }
  }

  /** Remove expired entries (Keyv only drops them when read). */
  purgeExpired(now = Date.now()): number {
    return this.stmts.purge.run(now).changes;
  }

  async disconnect(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
