import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import type { ArticleDraft } from "./article.js";
import { NOT_TEXT } from "./load.js";
import { jsonlLine } from "./readers/json.js";

/**
 * JSONL files are read a line at a time, whatever their size: a corpus exported as one file of a million records
 * never has to fit in memory (other kinds are read whole, up to `MAX_FILE_BYTES`).
 */
export function isStreamed(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return ext === ".jsonl" || ext === ".ndjson";
}

/** A line longer than this is skipped with a warning: no article is that long, and holding it would cost its size. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const PIECE_BYTES = 1024 * 1024;
/** How often reading tells how far it got. */
const PROGRESS_BYTES = 16 * 1024;

/** What a first pass over a file found: its content hash, or why it is skipped or cannot be read. */
export type FileCheck = { hash: string; size: number } | { skipped: string } | { unreadable: string };

/** How many bytes at the end of `bytes` start a UTF-8 character the next piece completes. */
function openTail(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue;
    const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needs > back ? back : 0;
  }
  return 0;
}

/**
 * Read a file once, a piece at a time: its SHA-256 (the same hash a whole read gives, so an unchanged file is
 * recognised), and whether it is text at all (no NUL bytes at its start, valid UTF-8, not only white space).
 */
export async function checkFile(file: string): Promise<FileCheck> {
  const hash = createHash("sha256");
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  let blank = true;
  let size = 0;
  let utf8 = true;
  try {
    for await (const piece of createReadStream(file, {
      highWaterMark: PIECE_BYTES,
    }) as AsyncIterable<Buffer>) {
      hash.update(piece);
      size += piece.length;
      if (first && piece.subarray(0, 8192).includes(0)) return { skipped: NOT_TEXT.binary };
      first = false;
      if (blank) {
        // A byte-order mark and ASCII white space do not make a file hold anything.
        for (let i = 0; i < piece.length && blank; i++) {
          const b = piece[i] ?? 0;
          if (b > 0x20 && b !== 0xef && b !== 0xbb && b !== 0xbf) blank = false;
        }
      }
      if (utf8) {
        const joined = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
        const open = openTail(joined);
        utf8 = isUtf8(joined.subarray(0, joined.length - open));
        carry = Buffer.from(joined.subarray(joined.length - open));
      }
    }
  } catch (error) {
    return { unreadable: String((error as NodeJS.ErrnoException).code ?? error) };
  }
  if (size === 0 || blank) return { skipped: NOT_TEXT.empty };
  if (!utf8 || carry.length > 0) return { skipped: NOT_TEXT.encoding };
  return { hash: hash.digest("hex"), size };
}

/**
 * The records of a JSONL file, line by line: a draft, or the warning for a line that is not one (malformed JSON,
 * no text, longer than `MAX_LINE_BYTES`). Memory holds one piece of the file and one line. `onBytes` hears how
 * much of the file has been read.
 */
export async function* jsonlDrafts(
  file: string,
  source: string,
  onBytes?: (read: number) => void,
): AsyncGenerator<ArticleDraft | string> {
  let parts: Buffer[] = [];
  let held = 0;
  let lineNumber = 0;
  let tooLong = false;
  let read = 0;
  const line = (last: Buffer): ArticleDraft | string | null => {
    lineNumber++;
    const over = `${source}:${lineNumber}: line skipped: over ${MAX_LINE_BYTES / 1048576} MB`;
    if (tooLong) {
      tooLong = false;
      return over;
    }
    const bytes = parts.length > 0 ? Buffer.concat([...parts, last]) : last;
    parts = [];
    held = 0;
    if (bytes.length > MAX_LINE_BYTES) return over;
    let text = bytes.toString("utf8");
    if (lineNumber === 1) text = text.replace(/^\ufeff/, "");
    return text.trim().length === 0 ? null : jsonlLine(text, source, lineNumber);
  };
  let told = 0;
  for await (const piece of createReadStream(file, { highWaterMark: PIECE_BYTES }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = piece.indexOf(10, from); nl !== -1; nl = piece.indexOf(10, from)) {
      const out = line(piece.subarray(from, nl));
      from = nl + 1;
      // Progress as the lines are read, not the pieces: a file of a few pieces still moves a bar steadily.
      if (read + from - told >= PROGRESS_BYTES) {
        told = read + from;
        onBytes?.(told);
      }
      if (out !== null) yield out;
    }
    read += piece.length;
    if (from < piece.length && !tooLong) {
      held += piece.length - from;
      if (held > MAX_LINE_BYTES) {
        // The rest of this line is read and dropped: only its number is kept, for the warning.
        tooLong = true;
        parts = [];
        held = 0;
      } else parts.push(Buffer.from(piece.subarray(from)));
    }
    onBytes?.(read);
  }
  if (parts.length > 0 || tooLong) {
    const out = line(Buffer.alloc(0));
    if (out !== null) yield out;
  }
}
