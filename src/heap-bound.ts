import v8 from "node:v8";
import vm from "node:vm";

/**
 * The main thread's heap a bulk load lets grow before it collects garbage itself (1M passages: 64 MB cost a tenth of
 * the speed, 80 MB nothing measurable, bench/README.md).
 */
export const BULK_HEAP_BYTES = 80 * 1024 * 1024;

let collect: (() => void) | null | undefined;

/** V8's full collection, exposed once at run time; null where the runtime refuses. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      collect = vm.runInNewContext("gc") as () => void;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/**
 * A check to call every few hundred articles of a bulk load: it collects garbage when the heap has grown past
 * `limit`. A bulk load makes short-lived strings by the gigabyte, and V8, whose limit on a large machine is
 * gigabytes, lets them pile up (measured: 115 MB of heap for 20 MB live at 300k passages, RSS 350 MB); a full
 * collection of that heap takes a few milliseconds.
 */
export function heapBound(limit = BULK_HEAP_BYTES): () => void {
  // The collector is exposed when first needed, not when a check is made: a command that answers one question and
  // exits never pays for it.
  return () => {
    if (v8.getHeapStatistics().total_heap_size > limit) collector()?.();
  };
}

/**
 * The heap a serving process lets grow before it collects garbage itself, between two questions: over a million
 * passages, 2,800 questions left 97 MB of heap for 22 MB live (serving RSS 207 MB); bounded at 64 MB, three
 * collections of 14–20 ms each, between answers, kept it at 174 MB (bench/README.md).
 */
export const SERVING_HEAP_BYTES = 64 * 1024 * 1024;

/**
 * A heap check for after a piece of work, run in the event loop's next turn: never inside the work it follows, so a
 * collection never lengthens an answer. Calls while one is pending add nothing.
 */
export function heapBoundBetween(limit = SERVING_HEAP_BYTES): () => void {
  const check = heapBound(limit);
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    // Unreferenced: a command that has answered exits without waiting for it.
    setImmediate(() => {
      pending = false;
      check();
    }).unref();
  };
}
