import { describe, expect, it } from "vitest";
import { markdown, runBench } from "../bench/run.js";

describe("npm run bench (smoke, 1,000 passages)", () => {
  it("measures Verbatim and an alternative on the same corpus and writes the documented shape", async () => {
    const report = await runBench({
      sizes: [1000],
      queries: 30,
      engines: ["verbatim", "minisearch"],
      timeout: 120,
      log: () => {},
      // Only what the repository holds: the same corpus on every machine.
      sentences: "fixtures",
    });
    expect(report.machine).toMatchObject({
      cpus: expect.any(Number),
      memoryGB: expect.any(Number),
      node: process.version,
    });
    const verbatim = report.results.find((r) => r.engine === "verbatim");
    expect(verbatim?.error).toBeUndefined();
    // Every generated paragraph is one passage.
    expect(verbatim?.passages).toBe(1000);
    expect(verbatim?.ingestPerSec).toBeGreaterThan(0);
    expect(verbatim?.indexBytes).toBeGreaterThan(0);
    expect(verbatim?.searchMs?.p99).toBeGreaterThanOrEqual(verbatim?.searchMs?.p50 ?? 0);
    expect(verbatim?.askMs?.p50).toBeGreaterThan(0);
    expect(verbatim?.rssMB).toBeGreaterThan(0);
    const mini = report.results.find((r) => r.engine === "minisearch");
    expect(mini?.searchMs?.p50).toBeGreaterThan(0);
    expect(mini?.askMs).toBeUndefined();
    const table = markdown(report);
    expect(table).toMatch(/\| verbatim \| \d+ \|/);
    expect(table).toMatch(/\| minisearch \| \d+ \|/);
  }, 120_000);

  it("reports an engine that cannot finish instead of crashing", async () => {
    const report = await runBench({
      sizes: [1000],
      queries: 10,
      engines: ["no-such-engine"],
      timeout: 60,
      log: () => {},
    });
    expect(report.results[0]?.error).toMatch(/failed/);
  }, 60_000);
});
