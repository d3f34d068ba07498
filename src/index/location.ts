import path from "node:path";

/**
 * Where an index is, as people write it: an SQLite file (a path, or `sqlite://PATH`) or a PostgreSQL address. One
 * place for the rules, so the configuration, the CLI, the store and the bench read a location the same way.
 */

/** Whether an index location is a PostgreSQL address rather than an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** An index as given on a command line or in the environment: a PostgreSQL address as it is, a file resolved. */
export function indexLocation(given: string): string {
  if (isPostgresUrl(given)) return given;
  return path.resolve(given.replace(/^sqlite:\/\//i, ""));
}

/** The address without its password, for messages and for `stats`. */
export function safeAddress(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "the PostgreSQL address given";
  }
}

/** A PostgreSQL address whose tables live in `schema` (each connection's search path). */
export function inSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("options", `-c search_path=${schema}`);
  return u.toString();
}
