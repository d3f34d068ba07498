import { Presets, SingleBar } from "cli-progress";

/** A progress display for long work: updated with counts, stopped at the end. */
export interface Progress {
  update: (done: number, total: number) => void;
  stop: () => void;
}

/**
 * A progress bar on standard error (counts, rate, time left) when it is a terminal; silent in CI, in pipes and
 * under tests, where a redrawn line would only be noise.
 */
export function progressBar(unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      stream,
      format: `{bar} {value}/{total} ${unit} | {rate}/s | {eta_formatted} left`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = false;
  const t0 = performance.now();
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0, { rate: "0" });
        started = true;
      }
      const seconds = (performance.now() - t0) / 1000;
      bar.update(done, { rate: seconds > 0 ? Math.round(done / seconds).toString() : "0" });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
