/**
 * A worker thread that reads a JSONL file, cleans its records into articles, hashes and chunks them while the main
 * thread writes the previous ones to the index: on two cores, that work (a third of a bulk ingest) costs no time.
 * It sends `{ items, read }` batches and waits for an `ack` whenever `AHEAD` batches are unacknowledged, so memory
 * holds a few hundred articles however fast it reads.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PreparedArticle } from "../index/prepare.js";
import { preparedLines } from "./prepared-lines.js";

/** What the worker is given. */
export interface JsonlWorkerData {
  file: string;
  source: string;
  fetchedAt: string;
  /** Marks a thread started to read a file (a test runner's own worker threads are not). */
  jsonlReader: true;
}

/** Articles (or warnings) per message. */
const BATCH = 200;
/** Batches sent and not yet acknowledged before the worker waits. */
const AHEAD = 3;

const data = workerData as JsonlWorkerData | null;
const port = parentPort;
if (port && data?.jsonlReader) {
  const { file, source, fetchedAt } = data;
  let unacknowledged = 0;
  let wake: (() => void) | null = null;
  port.on("message", () => {
    unacknowledged--;
    wake?.();
    wake = null;
  });
  const send = async (items: (PreparedArticle | string)[], read: number) => {
    port.postMessage({ items, read });
    unacknowledged++;
    while (unacknowledged >= AHEAD) await new Promise<void>((resolve) => (wake = resolve));
  };
  let items: (PreparedArticle | string)[] = [];
  let read = 0;
  for await (const item of preparedLines(file, source, fetchedAt, (n) => (read = n))) {
    items.push(item);
    if (items.length >= BATCH) {
      await send(items, read);
      items = [];
    }
  }
  port.postMessage({ items, read, done: true });
}
