import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { VerbatimError } from "../../errors.js";
import { INDEX_LANGUAGES } from "../../text/languages.js";
import { FEEDS_SCHEMA } from "../feed-table.js";

/** The FTS5 pending-terms hash a writer fills before flushing a segment. */
const FTS_HASH_BYTES = 16 * 1024 * 1024;

/** Bump when the schema changes in a way the migrations below cannot bring an older index to. */
export const SCHEMA_VERSION = 1;

const CORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
  id TEXT PRIMARY KEY, url TEXT, title TEXT NOT NULL, site TEXT, published_at TEXT, author TEXT,
  text TEXT NOT NULL, fetched_at TEXT NOT NULL, source TEXT NOT NULL, hash TEXT NOT NULL, indexed_at TEXT NOT NULL,
  first_seen_at TEXT NOT NULL, seq INTEGER
);
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles(first_seen_at);
-- Time windows: whether any article is dated in a window is one lookup.
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at);
CREATE UNIQUE INDEX IF NOT EXISTS articles_seq ON articles(seq);
CREATE TABLE IF NOT EXISTS passages (
  id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL, start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, text TEXT NOT NULL,
  sep TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article_id, ordinal);
CREATE TABLE IF NOT EXISTS embeddings (
  model TEXT NOT NULL, hash TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, hash)
);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, hash TEXT NOT NULL, ingested_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS source_articles (
  path TEXT NOT NULL REFERENCES sources(path) ON DELETE CASCADE, article_id TEXT NOT NULL,
  PRIMARY KEY (path, article_id)
);
CREATE INDEX IF NOT EXISTS source_articles_article ON source_articles(article_id);
`;

/**
 * The full-text table for a corpus language: English words are Porter-stemmed ("ships" finds "ship"); other
 * languages are only folded (lower case, no diacritics), since an English stemmer would mangle their words.
 */
function ftsSchema(language: string): string {
  const tokenize = ftsTokenizer(language);
  return `
CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts USING fts5(
  title, body, content='', contentless_delete=1, tokenize='${tokenize}'
);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_vocab USING fts5vocab(passage_fts, row);
`;
}

/** FTS5's tokenizer for a corpus language (the full-text table's, and any table that must count words as it does). */
export function ftsTokenizer(language: string): string {
  return language === "en" ? "porter unicode61 remove_diacritics 2" : "unicode61 remove_diacritics 2";
}

/** Every term's passage count, read from FTS5's own vocabulary (a full scan): how `term_counts` is filled. */
export const COUNT_EVERY_TERM = "INSERT INTO term_counts (term, doc) SELECT term, doc FROM passage_vocab";

/** The language an index was built for: fixed when it is created ("en" for indexes from before languages). */
export function indexLanguage(db: Database.Database): string {
  const row = db.prepare("SELECT value FROM meta WHERE key='language'").get() as
    | { value: string }
    | undefined;
  return row?.value ?? "en";
}

/** One step that brings an older index file up to date; each is safe to run on an index that already has it. */
interface Migration {
  /** What it adds, and since when it is needed. */
  name: string;
  run(db: Database.Database): void;
}

const hasColumn = (db: Database.Database, table: string, column: string) =>
  (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).some(
    (c) => c.name === column,
  );
const hasTable = (db: Database.Database, table: string) =>
  Boolean(db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(table));

/** Every table of every feature, in order: the one list of what an index file holds. */
const MIGRATIONS: Migration[] = [
  {
    name: "articles.first_seen_at (digests): before digests, an article was first seen when it was indexed",
    run(db) {
      if (!hasTable(db, "articles") || hasColumn(db, "articles", "first_seen_at")) return;
      db.exec("ALTER TABLE articles ADD COLUMN first_seen_at TEXT NOT NULL DEFAULT ''");
      db.exec("UPDATE articles SET first_seen_at = indexed_at");
    },
  },
  {
    name: "articles.seq (exactly-once digests): older articles are numbered in the order they were first seen",
    run(db) {
      if (!hasTable(db, "articles") || hasColumn(db, "articles", "seq")) return;
      db.exec("ALTER TABLE articles ADD COLUMN seq INTEGER");
      db.exec(`UPDATE articles SET seq = numbered.n
               FROM (SELECT id, row_number() OVER (ORDER BY first_seen_at, rowid) AS n FROM articles) AS numbered
               WHERE articles.id = numbered.id`);
    },
  },
  {
    name: "passages.sep (article text stored once): older articles keep their own copy, which is read first",
    run(db) {
      if (hasTable(db, "passages") && !hasColumn(db, "passages", "sep"))
        db.exec("ALTER TABLE passages ADD COLUMN sep TEXT NOT NULL DEFAULT ''");
    },
  },
  { name: "articles, passages, FTS5, embeddings, sources", run: (db) => db.exec(CORE_SCHEMA) },
  { name: "feeds and the items taken from them", run: (db) => db.exec(FEEDS_SCHEMA) },
  {
    name: "term_counts (how many passages hold each word, without reading its whole doclist): counted once",
    run(db) {
      if (hasTable(db, "term_counts")) return;
      db.exec("CREATE TABLE term_counts (term TEXT PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID");
      db.exec(COUNT_EVERY_TERM);
    },
  },
  {
    name: "meta.passages (the passage count, kept by writes): counted once",
    run(db) {
      if (!db.prepare("SELECT 1 FROM meta WHERE key = 'passages'").get())
        db.exec("INSERT INTO meta (key, value) SELECT 'passages', CAST(count(*) AS TEXT) FROM passages");
    },
  },
];

/** Bring an index file to the current schema, or refuse one made by an incompatible version. */
function migrate(db: Database.Database, file: string, language: string | undefined): void {
  if (hasTable(db, "meta")) {
    const row = db.prepare("SELECT value FROM meta WHERE key='schema'").get() as
      | { value: string }
      | undefined;
    if (row && Number(row.value) !== SCHEMA_VERSION) {
      throw new VerbatimError(
        "INDEX_FAILED",
        `The index at ${file} was built by another version of Verbatim (schema ${row.value}); delete it and run \`npm run ingest\` again.`,
      );
    }
  }
  db.transaction(() => {
    db.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    // A new index takes the language asked for; an index from before languages was English.
    const fresh = !hasTable(db, "passage_fts");
    const stored = db.prepare("SELECT value FROM meta WHERE key='language'").get() as
      | { value: string }
      | undefined;
    const built = stored?.value ?? (fresh ? (language ?? "en") : "en");
    if (language && language !== built)
      throw new VerbatimError(
        "INDEX_FAILED",
        `The index at ${file} was built for ${INDEX_LANGUAGES[built] ?? built} text, but INDEX_LANGUAGE is ${language}: a language is chosen when an index is created. Set INDEX_LANGUAGE=${built}, or point INDEX_PATH at a new file (or delete this one) and run \`npm run ingest\` again.`,
      );
    db.exec(ftsSchema(built));
    db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('language', ?)").run(built);
    // FTS5 writes a new segment each time its in-memory hash of pending terms fills (1 MB by default); 16 MB
    // means fewer, larger segments and less merging: ingest 1.2× faster at 300k passages, for at most 16 MB more
    // memory while writing (bench/README.md). Stored in the table's own configuration, so set once.
    const hash = db.prepare("SELECT v FROM passage_fts_config WHERE k = 'hashsize'").get() as
      | { v: number }
      | undefined;
    if (hash?.v !== FTS_HASH_BYTES)
      db.exec(`INSERT INTO passage_fts(passage_fts, rank) VALUES('hashsize', ${FTS_HASH_BYTES})`);
    for (const step of MIGRATIONS) step.run(db);
    db.prepare("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?), ('version', '0')").run(
      String(SCHEMA_VERSION),
    );
  })();
}

/**
 * An SQLite failure in words a person can act on (what is wrong with the index file, and what to do), or null for
 * failures that are not about the file. Nothing here ever deletes or rewrites the file: a damaged index is the
 * user's to keep, copy or remove.
 */
export function indexProblem(error: unknown, file: string): VerbatimError | null {
  const code = String((error as { code?: unknown }).code ?? "");
  const rebuild = `move it aside (or delete it) and run \`npm run ingest\` to build it again`;
  const say = (message: string) => new VerbatimError("INDEX_FAILED", message, { cause: error });
  if (code === "SQLITE_NOTADB")
    return say(
      `The index at ${file} is not an SQLite database (damaged or another kind of file): ${rebuild}.`,
    );
  if (code.startsWith("SQLITE_CORRUPT"))
    return say(
      `The index at ${file} is damaged (${(error as Error).message}): ${rebuild}. It was left as it is.`,
    );
  if (
    code.startsWith("SQLITE_READONLY") ||
    code === "SQLITE_CANTOPEN" ||
    code.startsWith("SQLITE_IOERR_SHM") ||
    code === "SQLITE_PERM"
  )
    return say(
      `The index at ${file} cannot be written (${(error as Error).message}): give this user write access to the file and its folder (SQLite writes ${path.basename(file)}-wal and -shm beside it).`,
    );
  if (code === "SQLITE_FULL")
    return say(
      `The disk holding the index at ${file} is full: the change was rolled back and the index is as it was. Free some space and run it again.`,
    );
  if (code.startsWith("SQLITE_IOERR"))
    return say(
      `Reading or writing the index at ${file} failed (${(error as Error).message}): check the disk.`,
    );
  return null;
}

/** Full integrity check of an open index (`PRAGMA quick_check`): throws what is wrong, in words. Reads every page. */
export function checkDatabase(db: Database.Database, file: string): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma("quick_check") as { quick_check: string }[];
  } catch (error) {
    throw indexProblem(error, file) ?? error;
  }
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== "ok");
  if (problems.length > 0)
    throw new VerbatimError(
      "INDEX_FAILED",
      `The index at ${file} is damaged (${problems.slice(0, 2).join("; ")}): move it aside (or delete it) and run \`npm run ingest\` to build it again. It was left as it is.`,
    );
}

/** Open (creating when missing) an index file with the pragmas Verbatim runs with, migrated to the current schema. */
export function openDatabase(
  file: string,
  options: { readonly?: boolean; language?: string } = {},
): Database.Database {
  if (file !== ":memory:") mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A file that exists but holds nothing is a failed copy or write, not a new index: SQLite would quietly start
  // an empty one in it, and every question would find nothing.
  if (file !== ":memory:" && existsSync(file) && statSync(file).size === 0)
    throw new VerbatimError(
      "INDEX_FAILED",
      `The index at ${file} is an empty file (0 bytes), perhaps from a failed copy: delete it and run \`npm run ingest\` to build it again.`,
    );
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: options.readonly ?? false });
  } catch (error) {
    throw (
      indexProblem(error, file) ??
      new VerbatimError("INDEX_FAILED", `Cannot open the index at ${file}: ${(error as Error).message}`, {
        cause: error,
      })
    );
  }
  try {
    configure(db, file, options);
  } catch (error) {
    db.close();
    throw indexProblem(error, file) ?? error;
  }
  return db;
}

/**
 * Run the first load of an empty index with a rollback journal instead of the write-ahead log: nothing can be read
 * from the index yet, and the log would hold every page of the load once more until a checkpoint copies it into
 * the file (1M passages: 23k → 30k passages/s, bench/README.md). Where another connection has the file open the
 * switch is refused and the log stays. The log is back when the load ends, however it ends. Not when `canSwitch`
 * is false: a connection that has made temporary FTS5 tables cannot checkpoint after the mode changes back.
 */
export async function firstLoad<T>(
  db: Database.Database,
  fn: () => Promise<T>,
  canSwitch: boolean,
): Promise<T> {
  let switched = false;
  try {
    switched = canSwitch && db.pragma("journal_mode = DELETE", { simple: true }) === "delete";
  } catch {
    // Busy (another connection): the load goes on with the write-ahead log.
  }
  try {
    return await fn();
  } finally {
    if (switched) {
      try {
        db.pragma("journal_mode = WAL");
      } catch {
        // A reader that opened the file meanwhile holds it: the next writer to open it sets the log again.
      }
    }
  }
}

function configure(
  db: Database.Database,
  file: string,
  options: { readonly?: boolean; language?: string },
): void {
  // 16 KiB pages: FTS5 doclists are long, and bigger pages made ingest ~20% and OR queries ~30% faster at 100k
  // passages (bench/README.md). Only takes effect when the file is created.
  if (!options.readonly) db.pragma("page_size = 16384");
  // WAL lets the bot answer while an ingest writes; NORMAL sync is durable at each checkpoint and far faster.
  if (!options.readonly) {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
  }
  db.pragma("foreign_keys = ON");
  db.pragma("temp_store = MEMORY");
  db.pragma("cache_size = -32000");
  // Reading the schema touches the file's header and first pages: garbage or a truncated file fails here, at once.
  db.prepare("SELECT count(*) FROM sqlite_master").get();
  if (!options.readonly) migrate(db, file, options.language);
}
