import { VerbatimError } from "../errors.js";
import { NAMESPACES, type Namespace, type State } from "./state.js";

/** What a copy moved, by namespace. */
export type CopyReport = Record<Namespace, number>;

/**
 * Copy every key of every namespace from one state store to another (SQLite to Redis or PostgreSQL when scaling
 * out), each with the time it had left to live. Counters and leases are not copied: they last seconds to a day and
 * start afresh. Keys already in the target are overwritten, so a copy run twice leaves the same state.
 */
export async function copyState(from: State, to: State, now = Date.now()): Promise<CopyReport> {
  const report = Object.fromEntries(NAMESPACES.map((n) => [n, 0])) as CopyReport;
  for (const name of NAMESPACES) {
    const source = from.ns(name);
    const target = to.ns(name);
    if (!source.iterator)
      throw new VerbatimError(
        "CONFIG_INVALID",
        `${from.describe} cannot list its keys, so it cannot be copied.`,
      );
    // Keyv's iterator takes no argument of its own: it walks the namespace it was made for.
    for await (const [key] of source.iterator(undefined)) {
      const raw = (await source.get(String(key), { raw: true })) as
        | { value: unknown; expires?: number | null }
        | undefined;
      if (!raw) continue;
      const left = typeof raw.expires === "number" ? raw.expires - now : undefined;
      if (left !== undefined && left <= 0) continue;
      await target.set(String(key), raw.value, left);
      report[name] += 1;
    }
  }
  return report;
}
