import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { VerbatimError } from "../../errors.js";
import { safeAddress } from "../location.js";
import type { SqlConnection, SqlValue } from "../sql.js";

/**
 * The worker's code: one `pg` client, one query at a time. It answers on a message port and then wakes the caller,
 * which sleeps on a shared flag; the reply is already queued when the flag changes. Kept as a string so it runs the
 * same from the TypeScript sources (tests) and from `dist/`, without a loader for a second file.
 */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const pg = require(workerData.pg);
const { port, url } = workerData;
const flag = new Int32Array(workerData.flag);
// Counts and sums come back as bigint: numbers are enough for an index of any size Verbatim serves.
const types = { getTypeParser: (oid, format) => (oid === 20 || oid === 1700 ? Number : pg.types.getTypeParser(oid, format)) };
// One connection at a time. When the server drops it (a restart, a network fault), the next statement outside a
// transaction opens a new one; inside a transaction the caller is told, since its earlier writes are gone.
let client = null;
let ready = null;
let broken = null;
let names = new Map();
function connect() {
  // A server that does not answer at all (a dropped packet, a wrong host) fails in 10 s, not at the OS's timeout.
  const fresh = new pg.Client({ connectionString: url, types, connectionTimeoutMillis: 10000 });
  fresh.on("error", (error) => { if (client === fresh) broken = error; });
  client = fresh;
  broken = null;
  names = new Map();
  // A question's queries are small and many: starting parallel workers or compiling with JIT costs more than they
  // save (a parallel plan took 13 ms where a serial one takes 2 at 2,000 passages).
  ready = fresh
    .connect()
    .then(() => fresh.query("SET max_parallel_workers_per_gather = 0; SET jit = off"))
    .catch((error) => { broken = error; });
}
// Statements with parameters are prepared once per connection (planning a search costs about 2 ms), up to a bound.
const prepared = (text) => {
  let name = names.get(text);
  if (name === undefined && names.size < 500) {
    name = "v" + names.size;
    names.set(text, name);
  }
  return name;
};
const lost = (error) => !error.code || /^(08|57P)/.test(String(error.code)) || /terminat|Connection|ECONN/i.test(String(error.message));
// Every reply carries its request's number and then moves the shared counter on, even when the reply cannot be
// sent as it is (a value that cannot be copied between threads is reported as an error instead).
function respond(id, reply) {
  try {
    port.postMessage({ id, ...reply });
  } catch (error) {
    port.postMessage({ id, error: { message: "a reply could not be passed back: " + String(error && error.message) } });
  }
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}
port.on("message", async (request) => {
  let reply;
  try {
    if (request.close) {
      if (client) await client.end().catch(() => {});
      respond(request.id, { rows: [], rowCount: 0 });
      return;
    }
    if (!client || (broken && !request.inTransaction && lost(broken))) connect();
    await ready;
    if (broken) throw broken;
    {
      const values = request.params.map((v) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
      const result = await client.query(values.length ? { name: prepared(request.sql), text: request.sql, values } : request.sql);
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      reply = { rows: last.rows ?? [], rowCount: last.rowCount ?? 0 };
    }
  } catch (error) {
    if (client && lost(error)) broken = error;
    reply = { error: { message: String(error && error.message), code: error && error.code } };
  }
  respond(request.id, reply);
});
`;

/** How long one statement may take before the caller gives up (bulk statements at a million passages included). */
const STATEMENT_TIMEOUT_MS = 10 * 60_000;

interface Reply {
  rows?: Record<string, unknown>[];
  rowCount?: number;
  error?: { message: string; code?: string };
}

/** `?` placeholders as PostgreSQL's `$1, $2 …` (the stores never put a `?` inside a literal). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** bytea comes back through the port as a Uint8Array: the stores read vectors as Buffers, as SQLite returns them. */
function asBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row))
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return row;
}

/**
 * A synchronous connection to PostgreSQL: the answer pipeline reads the index synchronously (as better-sqlite3
 * does), so a query blocks the caller for its duration, exactly as an SQLite query does, while the worker's own
 * event loop talks to the server. One connection: transactions span calls, as on SQLite.
 */
export function postgresConnection(url: string, lockKey: number): SqlConnection {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { url, port: port2, flag: flag.buffer, pg: createRequire(import.meta.url).resolve("pg") },
    transferList: [port2],
  });
  // The process may end while the connection is open (a CLI command that returns): the worker must not hold it.
  worker.unref();
  port1.unref();
  let closed = false;
  let depth = 0;
  /** Requests sent so far: the number of the newest. */
  let sent = 0;
  const statements = new Map<string, string>();

  const request = (message: {
    sql?: string;
    params?: readonly SqlValue[];
    close?: boolean;
    inTransaction?: boolean;
  }): Reply => {
    if (closed) throw new VerbatimError("INDEX_FAILED", "The PostgreSQL index is closed.");
    // Numbers wrap at 2^31, as the counter does: a bot that runs for weeks sends billions of statements.
    sent = (sent + 1) | 0;
    const id = sent;
    let seen = Atomics.load(flag, 0);
    port1.postMessage({ ...message, id });
    const deadline = Date.now() + STATEMENT_TIMEOUT_MS;
    // The worker moves the counter on once per reply, after posting it: each change means a reply is queued. One
    // request is out at a time; a reply with another number (one that came after its caller gave up) is dropped.
    for (;;) {
      while (Atomics.load(flag, 0) === seen) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new VerbatimError(
            "INDEX_FAILED",
            `PostgreSQL at ${safeAddress(url)} did not answer within ${STATEMENT_TIMEOUT_MS / 60_000} minutes.`,
          );
        Atomics.wait(flag, 0, seen, left);
      }
      seen = Atomics.load(flag, 0);
      for (let got = receiveMessageOnPort(port1); got; got = receiveMessageOnPort(port1)) {
        const reply = got.message as Reply & { id: number };
        if (reply.id !== id) continue;
        if (reply.error) throw postgresProblem(reply.error, url);
        return reply;
      }
    }
  };
  const query = (sql: string, params: readonly SqlValue[] = []) => {
    let text = statements.get(sql);
    if (text === undefined) {
      text = numbered(sql);
      statements.set(sql, text);
    }
    return request({ sql: text, params: [...params], inTransaction: depth > 0 });
  };
  const begin = () => {
    query("BEGIN");
    // One writer at a time, as SQLite has: article sequence numbers are then committed in order, which digests rely on.
    // Keyed by schema too, so indexes in separate schemas of one database do not wait for each other.
    query("SELECT pg_advisory_xact_lock(?::int, hashtext(current_schema()))", [lockKey]);
  };

  return {
    dialect: "postgres",
    all: <T>(sql: string, params?: readonly SqlValue[]) =>
      (query(sql, params).rows ?? []).map(asBuffers) as T[],
    get: <T>(sql: string, params?: readonly SqlValue[]) => {
      const row = query(sql, params).rows?.[0];
      return (row ? asBuffers(row) : undefined) as T | undefined;
    },
    run: (sql, params) => ({ changes: query(sql, params).rowCount ?? 0 }),
    exec: (sql) => {
      request({ sql, params: [], inTransaction: depth > 0 });
    },
    transaction<T>(fn: () => T): T {
      const savepoint = depth > 0 ? `s${depth}` : null;
      if (savepoint) query(`SAVEPOINT ${savepoint}`);
      else begin();
      depth++;
      try {
        const result = fn();
        depth--;
        query(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : "COMMIT");
        return result;
      } catch (error) {
        depth--;
        try {
          query(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : "ROLLBACK");
        } catch {
          // The connection is gone: the server has rolled the transaction back itself.
        }
        throw error;
      }
    },
    begin() {
      begin();
      depth++;
    },
    commit() {
      depth = 0;
      query("COMMIT");
    },
    rollback() {
      if (depth === 0) return;
      depth = 0;
      query("ROLLBACK");
    },
    inTransaction: () => depth > 0,
    close() {
      if (closed) return;
      try {
        request({ close: true });
      } catch {
        // Closing a connection that already failed: nothing is left to close.
      }
      closed = true;
      port1.close();
      void worker.terminate();
    },
  };
}

/** A PostgreSQL failure in words a person can act on; the password never appears. */
export function postgresProblem(error: { message: string; code?: string }, url: string): VerbatimError {
  const where = safeAddress(url);
  const code = error.code ?? "";
  const message = error.message.replaceAll(url, where);
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || code === "EHOSTUNREACH")
    return new VerbatimError(
      "INDEX_FAILED",
      `Cannot reach PostgreSQL at ${where} (${code}): start the server, or check INDEX_URL.`,
    );
  if (!code && /timeout|Connection terminated/i.test(message))
    return new VerbatimError(
      "INDEX_FAILED",
      `Cannot reach PostgreSQL at ${where} (${message}): start the server, or check INDEX_URL.`,
    );
  if (code === "3D000")
    return new VerbatimError(
      "INDEX_FAILED",
      `PostgreSQL at ${where}: ${message}. Create it first (createdb), or check INDEX_URL.`,
    );
  if (code === "28P01" || code === "28000")
    return new VerbatimError("INDEX_FAILED", `PostgreSQL refused the login at ${where}: ${message}.`);
  const failure = new VerbatimError("INDEX_FAILED", `PostgreSQL at ${where}: ${message}`);
  (failure as { sqlState?: string }).sqlState = code;
  return failure;
}
