import path from "node:path";
import Keyv, { type KeyvStoreAdapter } from "keyv";
import { VerbatimError } from "../errors.js";
import { closeBackend, openBackend } from "./backend.js";
import { type Limits, openLimits } from "./limits.js";
import { type Locks, openLocks } from "./locks.js";
import { SqliteKeyvStore } from "./sqlite-store.js";

/** The Keyv namespaces Verbatim keeps: one store, many namespaces. */
export const NAMESPACES = ["settings", "sessions", "subscriptions", "cache", "feedback"] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** Keyv instances by namespace, over one backing store chosen by URL. */
export interface State {
  ns(name: Namespace): Keyv;
  /** Counters that must be exact across processes (cooldowns, the daily LLM budget), over the same backend. */
  limits: Limits;
  /** Leases for work one process at a time must do (feed polling, digest delivery), over the same backend. */
  locks: Locks;
  /** Describes the backend without credentials, for logs. */
  describe: string;
  close(): Promise<void>;
}

async function adapterFor(
  url: string,
  cwd: string,
): Promise<{ make: () => KeyvStoreAdapter | Promise<KeyvStoreAdapter>; describe: string }> {
  if (url.startsWith("sqlite://")) {
    const file = url.slice("sqlite://".length) || ":memory:";
    const resolved = file === ":memory:" ? file : path.resolve(cwd, file);
    // Keyv sets the namespace on the adapter it is given, so each namespace opens its own connection to the one file.
    return { make: () => new SqliteKeyvStore(resolved), describe: `sqlite (${resolved})` };
  }
  const kind =
    url.startsWith("redis://") || url.startsWith("rediss://")
      ? "redis"
      : /^postgres(ql)?:\/\//.test(url)
        ? "postgres"
        : null;
  if (!kind)
    throw new VerbatimError(
      "CONFIG_INVALID",
      `STATE_URL must start with sqlite://, redis:// or postgres:// (got "${url.split(":")[0]}:").`,
    );
  const pkg = `@keyv/${kind}`;
  let mod: { default: new (url: string) => KeyvStoreAdapter };
  try {
    // A variable specifier: these adapters are optional and not installed by default.
    mod = (await import(pkg)) as typeof mod;
  } catch {
    throw new VerbatimError(
      "CONFIG_INVALID",
      `STATE_URL is a ${kind} URL, but ${pkg} is not installed: run \`npm install ${pkg}\`.`,
    );
  }
  const host = new URL(url).host;
  return { make: () => new mod.default(url), describe: `${kind} (${host})` };
}

/** PostgreSQL states open in this process, by URL (see `close`). */
const openPostgres = new Map<string, number>();

/** Open the state store that `url` names (sqlite://FILE, redis://…, postgres://…). */
export async function openState(url: string, cwd = process.cwd()): Promise<State> {
  const { make, describe } = await adapterFor(url, cwd);
  const instances = new Map<Namespace, Keyv>();
  const adapters: KeyvStoreAdapter[] = [];
  for (const name of NAMESPACES) {
    const adapter = await make();
    // Keyv drops an expired entry only when it is read: clear the rest once at start, so the file does not grow.
    if (adapters.length === 0 && adapter instanceof SqliteKeyvStore) adapter.purgeExpired();
    adapters.push(adapter);
    const keyv = new Keyv({ store: adapter, namespace: name });
    keyv.on("error", () => {
      // Keyv re-emits adapter errors; callers see failures through rejected promises instead.
    });
    instances.set(name, keyv);
  }
  // One connection serves the counters and the leases; Keyv's adapters keep their own.
  const backend = await openBackend(url, cwd);
  const limits = openLimits(backend);
  const locks = await openLocks(backend);
  if (describe.startsWith("postgres")) openPostgres.set(url, (openPostgres.get(url) ?? 0) + 1);
  return {
    describe,
    limits,
    locks,
    ns(name) {
      const k = instances.get(name);
      if (!k) throw new Error(`unknown state namespace ${name}`);
      return k;
    },
    async close() {
      await Promise.all([limits.close(), locks.close()]);
      await closeBackend(backend);
      // @keyv/postgres keeps one connection pool per process, shared by every adapter: it is ended only when the last
      // PostgreSQL state of the process closes. Other adapters own their connections.
      if (describe.startsWith("postgres")) {
        openPostgres.set(url, (openPostgres.get(url) ?? 1) - 1);
        if ((openPostgres.get(url) ?? 0) > 0) return;
        await adapters[0]?.disconnect?.();
        return;
      }
      await Promise.all(adapters.map((a) => a.disconnect?.()));
    },
  };
}
