import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  RateLimiterRes,
  RateLimiterSQLite,
} from "rate-limiter-flexible";
import type { Backend } from "./backend.js";

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
 * Limits over the state backend, so that cooldowns and budgets are counted in one place by every process: the
 * increment and the check are one atomic step in the backend (a Lua script, an upsert), never a read-modify-write
 * that two processes could interleave. A process-local store (sqlite://:memory:) counts in memory.
 */
export function openLimits(backend: Backend): Limits {
  if (backend.kind === "memory")
    return {
      limit: (name, points, seconds) =>
        wrap(new RateLimiterMemory({ keyPrefix: name, points, duration: seconds })),
      async close() {},
    };
  if (backend.kind === "redis")
    return {
      limit: (name, points, seconds) =>
        wrap(
          new RateLimiterRedis({
            storeClient: backend.client,
            useRedisPackage: true,
            keyPrefix: `verbatim:limit:${name}`,
            points,
            duration: seconds,
          }),
        ),
      async close() {},
    };
  const limits =
    backend.kind === "sqlite"
      ? tableLimits(
          (options, done) =>
            new RateLimiterSQLite(
              { ...options, storeClient: backend.db, storeType: "better-sqlite3", tableName: "rate_limits" },
              done,
            ),
        )
      : tableLimits(
          (options, done) =>
            new RateLimiterPostgres(
              { ...options, storeClient: backend.pool, storeType: "pool", tableName: "verbatim_rate_limits" },
              done,
            ),
        );
  // The connection belongs to the state: closing the limits only waits for a table being created.
  return { limit: limits.limit, close: limits.settled };
}
