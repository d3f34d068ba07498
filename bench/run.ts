/**
 * `npm run bench`: Verbatim against the in-memory JavaScript engines, on the same generated corpus and queries.
 * Options: --sizes 10000,100000  --queries 200  --out FILE.json  --engines verbatim,minisearch,orama,flexsearch
 *          --timeout SECONDS (per engine and size; default 900)
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchQueries, makeQueries, type SentenceSource, sentencePool, writeCorpus } from "./corpus.js";
import { realSets } from "./real-sets.js";

/** Latency and quality of one real question set, asked over its documents among the generated ones. */
export interface RealSetResult {
  questions: number;
  askMs: { p50: number; p95: number; p99: number };
  /** Share of questions with a gold answer string in the first three quotes (sets with answers). */
  aiq3: number | null;
  /** Share of questions with a gold document among the first five articles retrieved. */
  recall5: number;
  /** Share of questions answered "nothing relevant" (every question of these sets has an answer in the corpus). */
  refused?: number;
}

export interface BenchResult {
  engine: string;
  passages: number;
  ingestPerSec: number | null;
  indexBytes: number | null;
  openMs: number | null;
  searchMs: { p50: number; p95: number; p99: number } | null;
  askMs?: { p50: number; p95: number; p99: number };
  /** Verbatim only: the same asks with term frequencies read from the index for each (as after an ingest). */
  askColdMs?: { p50: number; p95: number; p99: number };
  /** Verbatim only: the real question sets (news, SQuAD, SciFact), by set. */
  real?: Record<string, RealSetResult>;
  rssMB: number | null;
  /** Verbatim only: peak resident memory of the process that built the index. */
  buildRssMB?: number;
  error?: string;
}

const HERE = import.meta.dirname;

function child(args: string[], timeoutSec: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--max-old-space-size=16384", "--import", "tsx", path.join(HERE, "child.ts"), ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => {
      out += String(d);
    });
    p.stderr.on("data", (d) => {
      err += String(d);
    });
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      reject(new Error(`over the time bound (${timeoutSec} s)`));
    }, timeoutSec * 1000);
    p.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, unknown>);
      else {
        const last =
          err
            .trim()
            .split("\n")
            .filter((l) => /Error|heap|memory/i.test(l))[0] ??
          err.trim().split("\n")[0] ??
          "";
        reject(new Error(signal ? `killed (${signal})` : `failed: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** Run the benchmark and return its report (also used by the smoke test). */
export async function runBench(options: {
  sizes: number[];
  queries: number;
  engines: string[];
  timeout: number;
  log?: (s: string) => void;
  /** Where the corpus's sentences come from (the smoke test uses only the project's fixtures). */
  sentences?: SentenceSource;
  /** Questions asked from each real set, over its documents mixed into every size (shared corpus only; 0: none). */
  real?: number;
}) {
  const log = options.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const work = mkdtempSync(path.join(os.tmpdir(), "verbatim-bench-"));
  const results: BenchResult[] = [];
  let rejectedQueries = 0;
  try {
    const from = options.sentences ?? "shared";
    log(`corpus sentences from: ${sentencePool(from).source}`);
    const queriesFile = path.join(work, "queries.json");
    const queries = benchQueries(makeQueries(options.queries, 7, from));
    writeFileSync(queriesFile, JSON.stringify(queries));
    if (queries.rejected.length)
      log(
        `${queries.rejected.length} of ${options.queries} queries have no word to search for; every engine is measured on the other ${queries.asked.length}`,
      );
    rejectedQueries = queries.rejected.length;
    const real =
      from === "shared" && (options.real ?? 300) > 0
        ? realSets(path.resolve(HERE, ".."), options.real ?? 300)
        : { questions: [], articles: [], sets: [] };
    const realFile = path.join(work, "real.json");
    writeFileSync(realFile, JSON.stringify(real.questions));
    const realPassages = real.articles.reduce((n, a) => n + a.paragraphs, 0);
    if (real.sets.length)
      log(
        `real questions: ${real.questions.length} from ${real.sets.join(", ")}, over their ${real.articles.length} documents (about ${realPassages} passages) in every corpus`,
      );
    for (const size of options.sizes) {
      const corpus = path.join(work, `corpus-${size}.jsonl`);
      // The real documents count toward the size: the generated ones fill the rest.
      const articles = await writeCorpus(corpus, Math.max(0, size - realPassages), 42, from);
      for (const a of real.articles) appendFileSync(corpus, `${JSON.stringify(a)}\n`);
      log(`${size} passages in ${articles + real.articles.length} articles`);
      for (const engine of options.engines) {
        const dir = mkdtempSync(path.join(work, `${engine}-`));
        try {
          if (engine === "verbatim" || engine === "verbatim-postgres") {
            const built = await child([engine, "build", corpus, queriesFile, dir], options.timeout);
            const served = await child(
              [engine, "serve", corpus, queriesFile, dir, realFile],
              options.timeout,
            );
            results.push({ engine, ...(built as object), ...(served as object) } as BenchResult);
          } else {
            results.push({
              engine,
              ...(await child([engine, "all", corpus, queriesFile, dir], options.timeout)),
            } as BenchResult);
          }
        } catch (error) {
          results.push({
            engine,
            passages: size,
            ingestPerSec: null,
            indexBytes: null,
            openMs: null,
            searchMs: null,
            rssMB: null,
            error: (error as Error).message,
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        const r = results[results.length - 1];
        log(`  ${engine}: ${r?.error ?? `search p50 ${r?.searchMs?.p50} ms, rss ${r?.rssMB} MB`}`);
      }
      rmSync(corpus, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return {
    /** Generated queries with no content word: not asked of any engine (reported, not folded into percentiles). */
    rejectedQueries,
    machine: {
      cpus: os.cpus().length,
      memoryGB: Math.round(os.totalmem() / 1024 ** 3),
      node: process.version,
    },
    results: results.map(({ ...r }) => {
      const { ingestSeconds: _i, ...rest } = r as BenchResult & { ingestSeconds?: number };
      return rest;
    }),
  };
}

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? "—" : n.toFixed(digits);
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a && b ? `${(a / b).toFixed(1)}×` : "—";

const triple = (m: { p50: number; p95: number; p99: number } | undefined) =>
  m ? `${fmt(m.p50, 2)} / ${fmt(m.p95, 2)} / ${fmt(m.p99, 2)}` : "—";

/** The report as a Markdown table, with each alternative's ratio against Verbatim at the same size. */
export function markdown(report: Awaited<ReturnType<typeof runBench>>): string {
  const lines = [
    `Machine: ${report.machine.cpus} CPUs, ${report.machine.memoryGB} GB, Node ${report.machine.node}`,
    "",
    ...(report.rejectedQueries
      ? [
          `${report.rejectedQueries} generated queries had no word to search for and were asked of no engine.`,
          "",
        ]
      : []),
    "| engine | passages | ingest/s | index MB | open ms | search p50 / p95 / p99 ms | ask p50 / p95 / p99 ms | ask, cold frequencies | RSS MB | build RSS MB | search p50 vs Verbatim | RSS vs Verbatim |",
    "| --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of report.results) {
    // The chunker may count a passage or two fewer than were generated: compare within 1%.
    const base = report.results.find(
      (x) => x.engine === "verbatim" && Math.abs(x.passages - r.passages) <= r.passages * 0.01,
    );
    if (r.error) {
      lines.push(`| ${r.engine} | ${r.passages} | — | — | — | ${r.error} | — | — | — | — | — | — |`);
      continue;
    }
    lines.push(
      `| ${r.engine} | ${r.passages} | ${r.ingestPerSec ?? "—"} | ${fmt((r.indexBytes ?? 0) / 1e6)} | ${fmt(r.openMs)} | ${fmt(r.searchMs?.p50, 2)} / ${fmt(r.searchMs?.p95, 2)} / ${fmt(r.searchMs?.p99, 2)} | ${triple(r.askMs)} | ${triple(r.askColdMs)} | ${fmt(r.rssMB)} | ${r.buildRssMB === undefined ? "(same process)" : fmt(r.buildRssMB)} | ${r.engine === "verbatim" ? "1.0×" : ratio(r.searchMs?.p50, base?.searchMs?.p50)} | ${r.engine === "verbatim" ? "1.0×" : ratio(r.rssMB, base?.rssMB)} |`,
    );
  }
  const real = report.results.filter((r) => r.real && Object.keys(r.real).length > 0);
  if (real.length) {
    lines.push(
      "",
      "Real questions (Verbatim, each set's documents among the generated ones, answered as users get them):",
      "",
      "| passages | set | questions | ask p50 / p95 / p99 ms | answer-in-quotes@3 | gold document in first 5 | refused |",
      "| ---: | --- | ---: | --- | ---: | ---: | ---: |",
    );
    for (const r of real)
      for (const [set, x] of Object.entries(r.real ?? {}))
        lines.push(
          `| ${r.passages} | ${set} | ${x.questions} | ${fmt(x.askMs.p50, 2)} / ${fmt(x.askMs.p95, 2)} / ${fmt(x.askMs.p99, 2)} | ${x.aiq3 === null ? "—" : fmt(x.aiq3, 3)} | ${fmt(x.recall5, 3)} | ${x.refused === undefined ? "—" : `${fmt(100 * x.refused, 1)}%`} |`,
        );
  }
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(HERE, "run.ts")) {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10000,100000" },
      // Enough that p99 is not the second-highest sample.
      queries: { type: "string", default: "1000" },
      corpus: { type: "string", default: "shared" },
      // Questions from each real set (news, SQuAD, SciFact) over their documents in every corpus; 0: none.
      real: { type: "string", default: "300" },
      out: { type: "string" },
      engines: { type: "string", default: "verbatim,minisearch,orama,flexsearch" },
      timeout: { type: "string", default: "900" },
    },
  });
  const report = await runBench({
    sizes: String(values.sizes)
      .split(",")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0),
    queries: Number(values.queries),
    engines: String(values.engines)
      .split(",")
      .map((s) => s.trim()),
    timeout: Number(values.timeout),
    sentences: values.corpus === "fixtures" ? "fixtures" : "shared",
    real: Number(values.real),
  });
  process.stdout.write(`${markdown(report)}\n`);
  if (values.out) writeFileSync(String(values.out), `${JSON.stringify(report, null, 2)}\n`);
}
