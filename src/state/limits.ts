import path from "node:path";
import Database from "better-sqlite3";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
} from "rate-limiter-flexible";

/** The outcome of taking one unit of a limit. */
export interface LimitResult {
  allowed: boolean;
  /** Seconds until the next unit is available (0 when allowed). */
  retryAfter: number;
}

/** A counter of `points` per `seconds` per key, atomic across every process that shares the backend. */
export interface Limit {
  /** Take one unit for `key`, if any is left. */
  take(key: string): Promise<LimitResult>;
}

/** Limits over the backend a state URL names; one connection serves every limit. */
export interface Limits {
  /** A limit named `name` (its own keys), of `points` per `seconds`. */
  limit(name: string, points: number, seconds: number): Limit;
  close(): Promise<void>;
}

/** The rate limiter's error, the outcome of a refused take, or a failure of the backend. */
function wrap(limiter: RateLimiterAbstract): Limit {
  return {
    async take(key) {
      try {
        await limiter.consume(key, 1);
        return { allowed: true, retryAfter: 0 };
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes)
          return { allowed: false, retryAfter: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
        throw outcome;
      }
    },
  };
}

/**
 * Limits over a store whose table the limiter library creates asynchronously: the first limit creates it (its
 * callback says when), the others are built with `tableCreated` and wait for that same moment.
 */
/** What every limit is made of: its own keys, and so many points per so many seconds. */
type LimitOptions = { keyPrefix: string; points: number; duration: number; tableCreated?: boolean };

function tableLimits(make: (options: LimitOptions, done?: (err?: unknown) => void) => RateLimiterAbstract) {
  let table: Promise<void> | null = null;
  return {
    limit(name: string, points: number, seconds: number): Limit {
      const options: LimitOptions = { keyPrefix: name, points, duration: seconds };
      let limiter: RateLimiterAbstract | undefined;
      if (table) limiter = make({ ...options, tableCreated: true });
      else
        table = new Promise<void>((resolve, reject) => {
          limiter = make(options, (err?: unknown) => (err ? reject(err) : resolve()));
        });
      const created = table;
      const inner = wrap(limiter as RateLimiterAbstract);
      return {
        async take(key) {
          await created;
          return inner.take(key);
        },
      };
    },
    /** Resolves once any table creation has finished (or failed). */
    settled: async () => {
      await table?.catch(() => undefined);
    },
  };
}

/**
 * Open the limits for a state URL (sqlite://FILE, redis://…, postgres://…), so that cooldowns and budgets are counted
 * in one place by every process: the increment and the check are one atomic step in the backend (a Lua script, an
 * upsert), never a read-modify-write that two processes could interleave.
 */
export async function openLimits(url: string, cwd = process.cwd()): Promise<Limits> {
  if (url.startsWith("sqlite://")) {
    const file = url.slice("sqlite://".length) || ":memory:";
    if (file === ":memory:") {
      return {
        limit: (name, points, seconds) =>
          wrap(new RateLimiterMemory({ keyPrefix: name, points, duration: seconds })),
        async close() {},
      };
    }
    const db = new Database(path.resolve(cwd, file));
    db.pragma("journal_mode = WAL");
    // Several processes (bot, CLI) may share the file: wait for a writer instead of failing.
    db.pragma("busy_timeout = 5000");
    const limits = tableLimits(
      (options, done) =>
        new RateLimiterSQLite(
          { ...options, storeClient: db, storeType: "better-sqlite3", tableName: "rate_limits" },
          done,
        ),
    );
    return {
      limit: limits.limit,
      async close() {
        await limits.settled();
        db.close();
      },
    };
  }
  if (url.startsWith("redis://") || url.startsWith("rediss://")) {
    // Loaded only for the backend named: an SQLite user never pays for the Redis or PostgreSQL clients (~25 MB).
    const { createClient } = await import("@redis/client");
    const client = createClient({ url });
    client.on("error", () => {
      // Reported through the rejected take; the client reconnects by itself.
    });
    await client.connect();
    return {
      limit: (name, points, seconds) =>
        wrap(
          new RateLimiterRedis({
            storeClient: client,
            useRedisPackage: true,
            keyPrefix: `verbatim:limit:${name}`,
            points,
            duration: seconds,
          }),
        ),
      async close() {
        await client.close();
      },
    };
  }
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const limits = tableLimits(
    (options, done) =>
      new RateLimiterPostgres(
        { ...options, storeClient: pool, storeType: "pool", tableName: "verbatim_rate_limits" },
        done,
      ),
  );
  return {
    limit: limits.limit,
    async close() {
      await limits.settled();
      await pool.end();
    },
  };
}
