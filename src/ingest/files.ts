import { stat } from "node:fs/promises";
import path from "node:path";
import { checkFile, isStreamed } from "../corpus/jsonl-stream.js";
import {
  clearManifestCache,
  type LoadedFile,
  listFiles,
  loadFile,
  type SkippedFile,
  sourceName,
} from "../corpus/load.js";
import { heapBound } from "../heap-bound.js";
import { type PreparedArticle, prepareArticle } from "../index/prepare.js";
import type { IndexStore } from "../index/store.js";
import type { Article } from "../types.js";
import { jsonlArticles } from "./read-ahead.js";

/** What an ingest did, for the CLI and logs. */
export interface IngestReport {
  /** Files read (of a kind Verbatim reads). */
  files: number;
  /** Of those, files whose content had not changed since the last ingest. */
  unchangedFiles: number;
  /** Files found but not read, with why. */
  skipped: SkippedFile[];
  /** Paths given that do not exist. */
  missing: string[];
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  warnings: string[];
  seconds: number;
}

/** Options for `ingestPaths`. */
export interface IngestOptions {
  /** Called as the work advances with the kilobytes of files done and the total (a large file reports as it goes). */
  onProgress?: (doneKb: number, totalKb: number) => void;
  /** Folder ids of file articles are relative to. */
  cwd?: string;
}

function emptyReport(): IngestReport {
  return {
    files: 0,
    unchangedFiles: 0,
    skipped: [],
    missing: [],
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    warnings: [],
    seconds: 0,
  };
}

/** What an ingest did, in words: files read and skipped (with why), then articles added, updated, unchanged, removed. */
export function describeIngest(report: IngestReport): string {
  const lines = [
    `Read ${report.files} file(s) in ${report.seconds.toFixed(2)} s${report.unchangedFiles > 0 ? ` (${report.unchangedFiles} unchanged since the last ingest)` : ""}.`,
  ];
  if (report.skipped.length > 0) {
    const shown = report.skipped.slice(0, 5).map((s) => `  ${s.file}: ${s.why}`);
    const more = report.skipped.length - shown.length;
    lines.push(
      `Skipped ${report.skipped.length} file(s):`,
      ...shown,
      ...(more > 0 ? [`  … and ${more} more`] : []),
    );
  }
  for (const p of report.missing) lines.push(`Not found: ${p}`);
  lines.push(
    `Articles: ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed.`,
  );
  return lines.join("\n");
}

/** Apply a list of articles (from any source) in one transaction; returns counts. */
export function upsertArticles(
  store: IndexStore,
  articles: Article[],
  report: IngestReport = emptyReport(),
): IngestReport {
  store.transaction(() => {
    for (const article of articles) report[store.upsertArticle(article)]++;
    if (report.added + report.updated > 0) store.bumpVersion();
    else store.touchIngest();
  });
  return report;
}

/** Writes one source file's articles as they come, then what the file no longer holds is removed. */
function fileWriter(store: IndexStore, file: string, report: IngestReport) {
  const previous = new Set(store.sources.articles(file));
  const ids: string[] = [];
  return {
    add(prepared: PreparedArticle): void {
      report[store.upsertPrepared(prepared)]++;
      ids.push(prepared.article.id);
      previous.delete(prepared.article.id);
    },
    get count(): number {
      return ids.length;
    },
    finish(hash: string): void {
      store.sources.put(file, hash, ids);
      for (const gone of previous) {
        if (!store.sources.claimedElsewhere(gone, file) && store.removeArticle(gone)) report.removed++;
      }
    },
  };
}

function applyFile(
  store: IndexStore,
  loaded: LoadedFile,
  report: IngestReport,
  onArticle?: (share: number) => void,
): void {
  const writer = fileWriter(store, loaded.file, report);
  for (const [i, article] of loaded.articles.entries()) {
    writer.add(prepareArticle(article));
    if (onArticle && i % 200 === 199) onArticle((i + 1) / loaded.articles.length);
  }
  writer.finish(loaded.hash);
}

/** Warnings kept per streamed file: a million malformed lines must not become a million messages in memory. */
const WARNINGS_PER_FILE = 100;

/**
 * A JSONL file, line by line: each article is written as it is read, so memory holds a line, not the file. Its
 * hash is checked first, so an unchanged file is never parsed. A file whose every line fails keeps what it gave
 * before, as a whole file does.
 */
async function applyStreamed(
  store: IndexStore,
  file: string,
  source: string,
  report: IngestReport,
  onBytes: (read: number) => void,
): Promise<void> {
  const check = await checkFile(file);
  if ("unreadable" in check) {
    report.warnings.push(`${source}: unreadable (${check.unreadable})`);
    return;
  }
  if ("skipped" in check) {
    report.skipped.push({ file: source, why: check.skipped });
    report.files--;
    return;
  }
  if (check.hash === store.sources.hash(file)) {
    report.unchangedFiles++;
    report.unchanged += store.sources.articles(file).length;
    return;
  }
  const writer = fileWriter(store, file, report);
  let warned = 0;
  const articles = jsonlArticles(file, {
    source,
    size: check.size,
    fetchedAt: new Date().toISOString(),
    onBytes,
  });
  const bound = heapBound();
  let n = 0;
  for await (const item of articles) {
    if (++n % 500 === 0) bound();
    if (typeof item !== "string") writer.add(item);
    else if (++warned <= WARNINGS_PER_FILE) report.warnings.push(item);
  }
  if (warned > WARNINGS_PER_FILE)
    report.warnings.push(`${source}: … and ${warned - WARNINGS_PER_FILE} more lines skipped`);
  if (writer.count > 0 || warned === 0) writer.finish(check.hash);
}

function isUnder(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Bring the index up to date with files and folders: unchanged files are skipped by content hash,
 * changed articles replaced, articles of deleted files (under the given folders) removed.
 * All changes land in one transaction, so a crash leaves the previous index as it was.
 */
export async function ingestPaths(
  store: IndexStore,
  paths: string[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = performance.now();
  clearManifestCache();
  const report = emptyReport();
  const { files, warnings, skipped, missing } = await listFiles(paths);
  report.warnings.push(...warnings);
  report.files = files.length;
  report.skipped = skipped;
  report.missing = missing;
  const roots = paths.map((p) => path.resolve(p));
  const seen = new Set(files);

  // Files are read (async) inside the transaction so that memory stays bounded by one file;
  // only this process writes, and WAL readers keep seeing the previous index until COMMIT.
  // Progress is measured in kilobytes, so one 60,000-record file moves the bar as steadily as many small ones.
  const sizes = new Map<string, number>();
  for (const file of files) sizes.set(file, Math.max(1, Math.ceil((await stat(file)).size / 1024)));
  const totalKb = [...sizes.values()].reduce((a, b) => a + b, 0);
  await store.transactionAsync(async () => {
    let doneKb = 0;
    for (const file of files) {
      const kb = sizes.get(file) ?? 1;
      if (isStreamed(file)) {
        await applyStreamed(store, file, sourceName(file, options.cwd), report, (read) =>
          options.onProgress?.(doneKb + Math.min(kb, Math.round(read / 1024)), totalKb),
        );
        doneKb += kb;
        options.onProgress?.(doneKb, totalKb);
        continue;
      }
      const loaded = await loadFile(file, options.cwd);
      // A file that gave nothing but one warning about itself is a skipped file, with why (empty, binary, too large…).
      const whole = /^[^\n]*?: skipped: (.*)$/.exec(loaded.warnings[0] ?? "");
      if (loaded.articles.length === 0 && loaded.warnings.length === 1 && whole) {
        report.skipped.push({
          file: path.relative(options.cwd ?? process.cwd(), file) || file,
          why: whole[1] ?? "",
        });
        report.files--;
      } else report.warnings.push(...loaded.warnings);
      if (loaded.hash && loaded.hash === store.sources.hash(file)) {
        report.unchangedFiles++;
        report.unchanged += store.sources.articles(file).length;
      }
      // A file that yields nothing but warnings keeps what it gave before: bad input loses nothing.
      else if (loaded.hash && (loaded.articles.length > 0 || loaded.warnings.length === 0))
        applyFile(store, loaded, report, (share) =>
          options.onProgress?.(doneKb + Math.round(kb * share), totalKb),
        );
      doneKb += kb;
      options.onProgress?.(doneKb, totalKb);
    }
    for (const known of store.sources.all()) {
      if (seen.has(known) || !roots.some((root) => isUnder(known, root))) continue;
      for (const orphan of store.sources.delete(known)) if (store.removeArticle(orphan)) report.removed++;
    }
    if (report.added + report.updated + report.removed > 0) store.bumpVersion();
    else store.touchIngest();
  });
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
