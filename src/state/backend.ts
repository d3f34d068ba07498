import path from "node:path";
import type { RedisClientType } from "@redis/client";
import Database from "better-sqlite3";
import type { Pool } from "pg";

/** One connection to the state backend a URL names, shared by the counters and the leases built on it. */
export type Backend =
  | { kind: "memory" }
  | { kind: "sqlite"; db: Database.Database }
  | { kind: "redis"; client: RedisClientType }
  | { kind: "postgres"; pool: Pool };

/**
 * Connect to sqlite://FILE (":memory:" for a process-local store), redis://… or postgres://…. The Redis and
 * PostgreSQL clients are loaded only when named: an SQLite user never pays for them (about 25 MB).
 */
export async function openBackend(url: string, cwd = process.cwd()): Promise<Backend> {
  if (url.startsWith("sqlite://")) {
    const file = url.slice("sqlite://".length) || ":memory:";
    if (file === ":memory:") return { kind: "memory" };
    const db = new Database(path.resolve(cwd, file));
    db.pragma("journal_mode = WAL");
    // Several processes (bot, CLI, worker) may share the file: wait for a writer instead of failing.
    db.pragma("busy_timeout = 5000");
    return { kind: "sqlite", db };
  }
  if (url.startsWith("redis://") || url.startsWith("rediss://")) {
    const { createClient } = await import("@redis/client");
    const client = createClient({ url }) as RedisClientType;
    client.on("error", () => {
      // Failures reach callers through rejected commands; the client reconnects by itself.
    });
    await client.connect();
    return { kind: "redis", client };
  }
  const { default: pg } = await import("pg");
  return { kind: "postgres", pool: new pg.Pool({ connectionString: url, max: 4 }) };
}

/** Close the connection. */
export async function closeBackend(backend: Backend): Promise<void> {
  if (backend.kind === "sqlite") backend.db.close();
  else if (backend.kind === "redis") await backend.client.close();
  else if (backend.kind === "postgres") await backend.pool.end();
}
