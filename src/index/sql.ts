import type Database from "better-sqlite3";

/** A value a statement takes or returns. */
export type SqlValue = string | number | bigint | null | Buffer | string[] | number[];

/**
 * A synchronous SQL connection as the stores use it, whichever database is under it: SQLite through
 * better-sqlite3, or PostgreSQL through a connection on a worker thread (`postgres/sync-client.ts`). Statements are
 * written once, in the SQL both accept, with `?` placeholders; only full-text search differs per database.
 */
export interface SqlConnection {
  readonly dialect: "sqlite" | "postgres";
  /** Every row of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): T[];
  /** The first row of a query, or undefined. */
  get<T>(sql: string, params?: readonly SqlValue[]): T | undefined;
  /** Run a statement; how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): { changes: number };
  /** Run statements without parameters (a schema). */
  exec(sql: string): void;
  /** Run `fn` in one transaction (a savepoint inside another): all of it lands, or none. */
  transaction<T>(fn: () => T): T;
  /** Open a write transaction that spans awaits; end it with `commit` or `rollback`. */
  begin(): void;
  commit(): void;
  rollback(): void;
  inTransaction(): boolean;
  close(): void;
}

/** SQLite's connection as a `SqlConnection`: statements are prepared once per text and reused. */
export function sqliteConnection(db: Database.Database): SqlConnection {
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: "sqlite",
    all: <T>(sql: string, params: readonly SqlValue[] = []) => prepared(sql).all(...params) as T[],
    get: <T>(sql: string, params: readonly SqlValue[] = []) => prepared(sql).get(...params) as T | undefined,
    run: (sql, params = []) => ({ changes: prepared(sql).run(...params).changes }),
    exec: (sql) => {
      db.exec(sql);
    },
    transaction: (fn) => db.transaction(fn)(),
    // IMMEDIATE takes the write lock at once: another writer waits here, not at its first write.
    begin: () => {
      db.exec("BEGIN IMMEDIATE");
    },
    commit: () => {
      db.exec("COMMIT");
    },
    rollback: () => {
      if (db.inTransaction) db.exec("ROLLBACK");
    },
    inTransaction: () => db.inTransaction,
    close: () => {
      if (db.open) db.close();
    },
  };
}
