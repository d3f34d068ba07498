import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import type { Backend } from "./backend.js";

/** A lease on work that must run in one process at a time (feed polling, digest delivery). */
export interface Lease {
  /** Whether this process holds the lease now (renewed in the background while it lives). */
  held(): boolean;
  /** Settles once the first attempt to take the lease has answered. */
  ready: Promise<void>;
  /** Give the lease up at once, so another process takes over without waiting for it to expire. */
  release(): Promise<void>;
}

/** Leases over the state backend: one holder per name across every process that shares it. */
export interface Locks {
  /** Try for the lease now and every `ttlMs / 3`; a holder that stops renewing loses it after `ttlMs`. */
  lease(name: string, ttlMs?: number): Lease;
  close(): Promise<void>;
}

/** One atomic step: take the lease if it is free or expired, or renew it if `owner` holds it. True when held. */
type TryTake = (name: string, owner: string, ttlMs: number) => Promise<boolean>;
type Free = (name: string, owner: string) => Promise<void>;

function leases(tryTake: TryTake, free: Free, onClose: () => Promise<void>): Locks {
  const owner = randomBytes(8).toString("hex");
  const live = new Set<{ stop: () => Promise<void> }>();
  return {
    lease(name, ttlMs = 30_000) {
      let held = false;
      let stopped = false;
      const attempt = async () => {
        try {
          held = await tryTake(name, owner, ttlMs);
        } catch {
          // The backend is unreachable: act as if the lease were lost, so two processes never both hold it.
          held = false;
        }
      };
      const ready = attempt();
      const timer = setInterval(() => void attempt(), Math.max(100, Math.floor(ttlMs / 3)));
      timer.unref();
      const handle = {
        stop: async () => {
          if (stopped) return;
          stopped = true;
          clearInterval(timer);
          if (held) await free(name, owner).catch(() => undefined);
          held = false;
        },
      };
      live.add(handle);
      return {
        ready,
        held: () => held && !stopped,
        release: async () => {
          live.delete(handle);
          await handle.stop();
        },
      };
    },
    async close() {
      await Promise.all([...live].map((l) => l.stop()));
      live.clear();
      await onClose();
    },
  };
}

/** Leases over the state backend; a process-local store (sqlite://:memory:) keeps them in a private table. */
export async function openLocks(backend: Backend): Promise<Locks> {
  if (backend.kind === "memory" || backend.kind === "sqlite") {
    const db = backend.kind === "sqlite" ? backend.db : new Database(":memory:");
    db.exec(
      "CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires INTEGER NOT NULL)",
    );
    const take = db.prepare<[string, string, number, number]>(
      `INSERT INTO leases (name, owner, expires) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires = excluded.expires
       WHERE leases.expires < ? OR leases.owner = excluded.owner`,
    );
    const free = db.prepare<[string, string]>("DELETE FROM leases WHERE name = ? AND owner = ?");
    return leases(
      async (name, owner, ttl) => take.run(name, owner, Date.now() + ttl, Date.now()).changes > 0,
      async (name, owner) => {
        free.run(name, owner);
      },
      async () => {
        if (backend.kind === "memory") db.close();
      },
    );
  }
  if (backend.kind === "redis") {
    const { client } = backend;
    // Renew only our own lease, take only a free one: one script, so no other process can slip in between.
    const script = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
      if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end return 0`;
    const release = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;
    return leases(
      async (name, owner, ttl) =>
        Number(
          await client.eval(script, { keys: [`verbatim:lease:${name}`], arguments: [owner, String(ttl)] }),
        ) === 1,
      async (name, owner) => {
        await client.eval(release, { keys: [`verbatim:lease:${name}`], arguments: [owner] });
      },
      async () => {},
    );
  }
  const { pool } = backend;
  await pool.query(
    "CREATE TABLE IF NOT EXISTS verbatim_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL)",
  );
  return leases(
    async (name, owner, ttl) => {
      const result = await pool.query(
        `INSERT INTO verbatim_leases (name, owner, expires) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires = EXCLUDED.expires
         WHERE verbatim_leases.expires < now() OR verbatim_leases.owner = EXCLUDED.owner`,
        [name, owner, ttl],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async (name, owner) => {
      await pool.query("DELETE FROM verbatim_leases WHERE name = $1 AND owner = $2", [name, owner]);
    },
    async () => {},
  );
}
