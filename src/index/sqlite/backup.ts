import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { VerbatimError } from "../../errors.js";
import { checkDatabase } from "./database.js";

/**
 * Copy an SQLite file to `dest` with SQLite's online backup, safe while the bot reads and writes it (a plain file
 * copy of a WAL database can catch it half-written), then check the copy page by page. Never overwrites `dest`.
 */
export async function backupDatabase(source: string, dest: string): Promise<{ pages: number }> {
  if (!existsSync(source))
    throw new VerbatimError("UNREADABLE", `There is nothing to back up: ${source} does not exist.`);
  if (existsSync(dest))
    throw new VerbatimError(
      "USAGE",
      `${dest} already exists: name a new file, so that no backup is overwritten.`,
    );
  mkdirSync(path.dirname(path.resolve(dest)), { recursive: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  let pages = 0;
  try {
    const result = await db.backup(dest);
    pages = result.totalPages;
  } finally {
    db.close();
  }
  const copy = new Database(dest, { readonly: true, fileMustExist: true });
  try {
    checkDatabase(copy, dest);
  } finally {
    copy.close();
  }
  return { pages };
}
