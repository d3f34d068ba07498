import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Article } from "../types.js";
import { finalizeArticle, type ReadResult } from "./article.js";
import { readJson, readJsonl } from "./readers/json.js";
import { readMarkdown } from "./readers/markdown.js";
import { type Manifest, readText } from "./readers/text.js";

/** File name of the per-folder metadata manifest; never read as an article. */
export const MANIFEST_NAME = "sources.json";

const READABLE = new Set([".md", ".markdown", ".txt", ".html", ".htm", ".json", ".jsonl", ".ndjson"]);

/** True when a file's extension is one the corpus readers know. */
export function isReadable(file: string): boolean {
  return READABLE.has(path.extname(file).toLowerCase()) && path.basename(file) !== MANIFEST_NAME;
}

/** A file that was found but not read, and why. */
export interface SkippedFile {
  file: string;
  why: string;
}

/** What a walk of the given paths found: files to read, files skipped (with why), and paths that do not exist. */
export interface FileListing {
  files: string[];
  skipped: SkippedFile[];
  missing: string[];
  warnings: string[];
}

const UNREADABLE_KIND = "not a kind of file Verbatim reads (.md, .txt, .html, .json, .jsonl)";

/**
 * Every readable file under the given paths (files or folders), sorted. Hidden entries, `node_modules` and the
 * folder manifest are passed over; every other file that is not read is listed as skipped with the reason.
 * Symbolic links to files are followed; links to folders are not (a loop could never end).
 */
export async function listFiles(paths: string[]): Promise<FileListing> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const missing: string[] = [];
  const consider = (file: string) => {
    if (isReadable(file)) files.push(path.resolve(file));
    else if (path.basename(file) !== MANIFEST_NAME) skipped.push({ file, why: UNREADABLE_KIND });
  };
  const visit = async (p: string, top: boolean) => {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(p);
    } catch {
      if (top) missing.push(p);
      else skipped.push({ file: p, why: "a link to nothing (broken symbolic link)" });
      return;
    }
    if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        const child = path.join(p, entry.name);
        if (entry.isDirectory()) await visit(child, false);
        else if (entry.isFile()) consider(child);
        else if (entry.isSymbolicLink()) {
          const target = await stat(child).catch(() => null);
          if (!target) skipped.push({ file: child, why: "a link to nothing (broken symbolic link)" });
          else if (target.isDirectory())
            skipped.push({ file: child, why: "a link to a folder (not followed; name the folder itself)" });
          else if (target.isFile()) consider(child);
          else skipped.push({ file: child, why: "not a regular file" });
        } else skipped.push({ file: child, why: "not a regular file" });
      }
    } else if (info.isFile()) consider(p);
    else skipped.push({ file: p, why: "not a regular file" });
  };
  for (const p of paths) await visit(p, true);
  const warnings = missing.map((p) => `${p}: no such file or folder`);
  return { files: [...new Set(files)], skipped, missing, warnings };
}

/**
 * Files larger than this are skipped with a warning: no article is that long, and reading one would hold it all in
 * memory. JSONL files are read a line at a time instead (`jsonl-stream.ts`), and have no such limit.
 */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** A file read from disk: its content hash (for incremental ingest) and its articles. */
export interface LoadedFile {
  file: string;
  hash: string;
  articles: Article[];
  warnings: string[];
}

const manifests = new Map<string, Promise<Manifest>>();

async function manifestFor(dir: string): Promise<Manifest> {
  let pending = manifests.get(dir);
  if (!pending) {
    pending = readFile(path.join(dir, MANIFEST_NAME), "utf8")
      .then((raw) => {
        const parsed: unknown = JSON.parse(raw);
        return parsed && typeof parsed === "object" ? (parsed as Manifest) : {};
      })
      .catch(() => ({}));
    manifests.set(dir, pending);
  }
  return pending;
}

/** Forget cached manifests (a long-running process calls this before each ingest). */
export function clearManifestCache(): void {
  manifests.clear();
}

/** Why a file is not read as text, in the same words whether it is read whole or a line at a time. */
export const NOT_TEXT = {
  empty: "empty file",
  binary: "binary file (contains NUL bytes)",
  encoding: "not UTF-8 text",
} as const;

/** The warning for a record that cleaning left without text. */
export function emptyAfterCleaning(source: string): string {
  return `${source}: skipped: no text left after cleaning`;
}

/** Decode bytes as UTF-8 text, or say why they are not text. */
export function decodeText(bytes: Uint8Array): string | { reason: string } {
  if (bytes.length === 0) return { reason: NOT_TEXT.empty };
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { reason: NOT_TEXT.binary };
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { reason: NOT_TEXT.encoding };
  }
}

/** Parse already-decoded content by the file's kind. */
export async function parseContent(
  content: string,
  source: string,
  manifestEntry?: Record<string, unknown>,
): Promise<ReadResult> {
  switch (path.extname(source).toLowerCase()) {
    case ".md":
    case ".markdown":
      return readMarkdown(content, source);
    case ".html":
    case ".htm": {
      // The DOM library is loaded only when an HTML file is read: it costs a third of start-up.
      const { readHtml } = await import("./readers/html.js");
      return readHtml(
        content,
        source,
        typeof manifestEntry?.url === "string" ? manifestEntry.url : undefined,
      );
    }
    case ".json":
      return readJson(content, source);
    case ".jsonl":
    case ".ndjson":
      return readJsonl(content, source);
    default:
      return readText(content, source, manifestEntry);
  }
}

/** How warnings and article sources name a file: its path from `cwd`, with forward slashes. */
export function sourceName(file: string, cwd = process.cwd()): string {
  return path.relative(cwd, file).replaceAll("\\", "/") || path.basename(file);
}

/** Read one file into articles; never throws: problems become warnings naming the file. */
export async function loadFile(file: string, cwd = process.cwd()): Promise<LoadedFile> {
  const source = sourceName(file, cwd);
  let bytes: Buffer;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_FILE_BYTES) {
      return {
        file,
        hash: "",
        articles: [],
        warnings: [
          `${source}: skipped: ${Math.round(size / 1048576)} MB is over the ${MAX_FILE_BYTES / 1048576} MB limit for one file`,
        ],
      };
    }
    bytes = await readFile(file);
  } catch (error) {
    return {
      file,
      hash: "",
      articles: [],
      warnings: [`${source}: unreadable (${(error as NodeJS.ErrnoException).code ?? error})`],
    };
  }
  const hash = createHash("sha256").update(bytes).digest("hex");
  const decoded = decodeText(bytes);
  if (typeof decoded !== "string")
    return { file, hash, articles: [], warnings: [`${source}: skipped: ${decoded.reason}`] };
  if (decoded.trim().length === 0)
    return { file, hash, articles: [], warnings: [`${source}: skipped: ${NOT_TEXT.empty}`] };
  const manifest = await manifestFor(path.dirname(file));
  const entry = manifest[path.basename(file)];
  let result: ReadResult;
  try {
    result = await parseContent(decoded, source, entry);
  } catch (error) {
    return {
      file,
      hash,
      articles: [],
      warnings: [`${source}: could not be parsed (${(error as Error).message})`],
    };
  }
  const fetchedAt = new Date().toISOString();
  const articles: Article[] = [];
  const warnings = [...result.warnings];
  for (const draft of result.drafts) {
    const article = finalizeArticle(draft, fetchedAt);
    if (article) articles.push(article);
    else warnings.push(emptyAfterCleaning(draft.source));
  }
  return { file, hash, articles, warnings };
}
