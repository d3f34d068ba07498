import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { benchQueries, sentencePool } from "../bench/corpus.js";
import { markdown, runBench } from "../bench/run.js";
import { tempDir } from "./helpers.js";

/** A quiet bench run at 1,000 passages over only what the repository holds: the same corpus on every machine. */
function smokeBench(engines: string[], queries: number, timeout: number) {
  return runBench({ sizes: [1000], queries, engines, timeout, log: () => {}, sentences: "fixtures" });
}

describe("npm run bench (smoke, 1,000 passages)", () => {
  it("measures Verbatim and an alternative on the same corpus and writes the documented shape", async () => {
    const report = await smokeBench(["verbatim", "minisearch"], 30, 120);
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
    expect(verbatim?.askColdMs?.p50).toBeGreaterThan(0);
    expect(report.rejectedQueries).toBeGreaterThanOrEqual(0);
    expect(verbatim?.rssMB).toBeGreaterThan(0);
    const mini = report.results.find((r) => r.engine === "minisearch");
    expect(mini?.searchMs?.p50).toBeGreaterThan(0);
    expect(mini?.askMs).toBeUndefined();
    const table = markdown(report);
    expect(table).toMatch(/\| verbatim \| \d+ \|/);
    expect(table).toMatch(/\| minisearch \| \d+ \|/);
  }, 120_000);

  // The same engine over a PostgreSQL index (BENCH_DATABASE_URL), when a server is given (`.ci/run` gives one).
  if (!process.env.TEST_DATABASE_URL)
    console.info(
      "bench over a PostgreSQL index skipped: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it",
    );
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "measures Verbatim over PostgreSQL beside SQLite, and leaves no tables behind",
    async () => {
      const previous = process.env.BENCH_DATABASE_URL;
      process.env.BENCH_DATABASE_URL = process.env.TEST_DATABASE_URL;
      try {
        const report = await smokeBench(["verbatim-postgres"], 30, 120);
        const onPostgres = report.results.find((r) => r.engine === "verbatim-postgres");
        expect(onPostgres?.error).toBeUndefined();
        expect(onPostgres?.passages).toBe(1000);
        expect(onPostgres?.ingestPerSec).toBeGreaterThan(0);
        expect(onPostgres?.askMs?.p50).toBeGreaterThan(0);
        expect(markdown(report)).toMatch(/\| verbatim-postgres \| \d+ \|/);
        const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await client.connect();
        const { rows } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'verbatim_bench'");
        await client.end();
        expect(rows).toEqual([]);
      } finally {
        if (previous === undefined) delete process.env.BENCH_DATABASE_URL;
        else process.env.BENCH_DATABASE_URL = previous;
      }
    },
    120_000,
  );

  it("asks every engine the same content words and sets aside queries with none, instead of timing them", () => {
    const q = benchQueries([
      "what did they say about lithium mining?",
      "what did they say about it?",
      "harbor",
    ]);
    expect(q.asked).toEqual(["what did they say about lithium mining?", "harbor"]);
    expect(q.words).toEqual(["lithium mining", "harbor"]);
    expect(q.rejected).toEqual(["what did they say about it?"]);
  });

  it("stops, saying why, when the evaluation sets it draws from are not beside the project", () => {
    const { dir, cleanup } = tempDir();
    try {
      expect(() => sentencePool("shared", path.join(dir, "verbatim"))).toThrow(
        /not beside the project\. Put the evaluation sets there, or run `npm run bench -- --corpus fixtures`/,
      );
      expect(sentencePool("fixtures", path.join(dir, "verbatim")).source).toBe("tests/fixtures");
    } finally {
      cleanup();
    }
  });

  it("reports an engine that cannot finish instead of crashing", async () => {
    const report = await smokeBench(["no-such-engine"], 10, 60);
    expect(report.results[0]?.error).toMatch(/failed/);
  }, 60_000);
});
