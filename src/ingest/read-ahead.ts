import { Worker } from "node:worker_threads";
import type { PreparedArticle } from "../index/prepare.js";
import type { JsonlWorkerData } from "./jsonl-worker.js";
import { preparedLines } from "./prepared-lines.js";

/** Files at least this large are read on a worker thread; starting one (about 50 ms) is not worth it for less. */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024;

interface Batch {
  items: (PreparedArticle | string)[];
  read: number;
  done?: boolean;
}

function startWorker(data: JsonlWorkerData): Worker {
  const typescript = import.meta.url.endsWith(".ts");
  // A bounded heap collects as it goes (the reader's garbage is all short-lived); 128 MB holds a line of
  // `MAX_LINE_BYTES` with its cleaned copies.
  const options = {
    workerData: data,
    resourceLimits: {
      maxOldGenerationSizeMb: 128,
      maxYoungGenerationSizeMb: 8,
    },
  };
  if (!typescript) return new Worker(new URL("./jsonl-worker.js", import.meta.url), options);
  // Under tsx (tests, the bench) this module is TypeScript, and so is the worker beside it: the worker registers
  // tsx's loader before it loads the module.
  const api = import.meta.resolve?.("tsx/esm/api") ?? "tsx/esm/api";
  const worker = new URL("./jsonl-worker.ts", import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(worker)}); });`,
    { ...options, eval: true },
  );
}

/**
 * The articles of a JSONL file, and a warning for each line that gives none, in file order. A large file is read
 * and cleaned on a worker thread a few hundred articles ahead of the caller, which writes them meanwhile; a small
 * one in this thread.
 */
export async function* jsonlArticles(
  file: string,
  options: { source: string; size: number; fetchedAt: string; onBytes: (read: number) => void },
): AsyncGenerator<PreparedArticle | string> {
  const { source, fetchedAt, onBytes } = options;
  if (options.size < READ_AHEAD_BYTES) {
    yield* preparedLines(file, source, fetchedAt, onBytes);
    return;
  }
  const worker = startWorker({ file, source, fetchedAt, jsonlReader: true });
  const queue: Batch[] = [];
  let failure: Error | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  worker.on("message", (batch: Batch) => {
    queue.push(batch);
    notify();
  });
  worker.on("error", (error) => {
    // Out of memory or a read that failed midway: the ingest stops (and rolls back), naming the file.
    failure = new Error(`reading ${source} failed: ${error.message}`, { cause: error });
    notify();
  });
  worker.on("exit", (code) => {
    finished = true;
    if (code !== 0 && !failure) failure = new Error(`the reader of ${source} stopped (exit code ${code})`);
    notify();
  });
  try {
    for (;;) {
      const batch = queue.shift();
      if (!batch) {
        if (failure) throw failure;
        if (finished) throw new Error(`the reader of ${source} ended early`);
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (!batch.done) worker.postMessage("ack");
      yield* batch.items;
      onBytes(batch.read);
      if (batch.done) return;
    }
  } finally {
    await worker.terminate();
  }
}
