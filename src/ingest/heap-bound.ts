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
  const gc = collector();
  if (!gc) return () => {};
  return () => {
    if (v8.getHeapStatistics().total_heap_size > limit) gc();
  };
}
