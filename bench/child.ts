/**
 * One engine, one corpus, in its own process so that memory figures are its own.
 * Usage: tsx bench/child.ts <engine> <phase: build|serve|all> <corpus.jsonl> <queries.json> <workdir>
 * Prints one JSON object on stdout.
 */
import { createReadStream, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { type Answerer, createAnswerer } from "../src/answer/answerer.js";
import { type Alternative, createAlternative } from "../src/eval/engines/engine.js";
import { answerInQuotes } from "../src/eval/metrics.js";
import { inSchema } from "../src/index/location.js";
import { IndexStore } from "../src/index/store.js";
import { ingestPaths } from "../src/ingest/files.js";
import { search } from "../src/search/lexical.js";
import { warmUpVocabulary } from "../src/search/spelling.js";
import { warmUpTimeReading } from "../src/search/time-window.js";
import type { BenchArticle, BenchQueries } from "./corpus.js";
import type { RealQuestion } from "./real-sets.js";

const [engine = "verbatim", phase = "all", corpusFile = "", queriesFile = "", workdir = ".", realFile = ""] =
  process.argv.slice(2);

/** Passages handed to an alternative engine at a time. */
const BATCH = 5000;

async function* articles(): AsyncGenerator<BenchArticle> {
  const lines = createInterface({ input: createReadStream(corpusFile), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line.trim()) yield JSON.parse(line) as BenchArticle;
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { p50: round(at(50)), p95: round(at(95)), p99: round(at(99)) };
}

/**
 * One turn of the event loop between two questions, untimed: a server receives each question as an event of its own,
 * and what an answer leaves for after it (the answerer's heap check) runs there, as it does in the bot.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function time(queries: string[], fn: (q: string) => unknown): Promise<number[]> {
  for (const q of queries.slice(0, 20)) await fn(q);
  const samples: number[] = [];
  for (const q of queries) {
    const started = performance.now();
    await fn(q);
    samples.push(performance.now() - started);
    await nextTurn();
  }
  return samples;
}

const rssMB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const { asked: queries, words } = JSON.parse(readFileSync(queriesFile, "utf8")) as BenchQueries;
// "verbatim-postgres" is the same engine over a PostgreSQL index in a schema of its own, emptied before each build.
const onPostgres = engine === "verbatim-postgres";
const BENCH_SCHEMA = "verbatim_bench";
function postgresIndex(): string {
  const server = process.env.BENCH_DATABASE_URL;
  if (!server)
    throw new Error(
      "verbatim-postgres needs BENCH_DATABASE_URL=postgres://… (a database the bench may write to)",
    );
  return inSchema(server, BENCH_SCHEMA);
}
const indexFile = onPostgres ? postgresIndex() : path.join(workdir, "verbatim.sqlite");

async function benchSchema(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
}
const emptyBenchSchema = () =>
  benchSchema(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE; CREATE SCHEMA ${BENCH_SCHEMA}`);
const dropBenchSchema = () => benchSchema(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);

async function verbatimBuild() {
  if (onPostgres) await emptyBenchSchema();
  const store = new IndexStore(indexFile);
  const started = performance.now();
  // The corpus is ingested as `npm run ingest` reads it: one JSONL file, a line at a time, in one transaction.
  const report = await ingestPaths(store, [corpusFile]);
  if (report.warnings.length > 0 || report.added === 0)
    throw new Error(`the bench corpus did not ingest cleanly: ${report.warnings.slice(0, 3).join("; ")}`);
  const seconds = (performance.now() - started) / 1000;
  const passages = store.totalPassages();
  store.checkpoint();
  store.optimize();
  const indexBytes = onPostgres ? store.sizeBytes() : statSync(indexFile).size;
  store.close();
  return {
    passages,
    ingestPerSec: Math.round(passages / seconds),
    ingestSeconds: seconds,
    indexBytes,
    buildRssMB: rssMB(),
  };
}

/** Real questions, set by set, answered as users get them: latency, answer-in-quotes@3 and gold recall@5. */
async function askReal(answerer: Answerer, questions: RealQuestion[]) {
  const out: Record<string, unknown> = {};
  for (const set of [...new Set(questions.map((q) => q.set))]) {
    const asked = questions.filter((q) => q.set === set);
    const samples: number[] = [];
    let found = 0;
    let recalled = 0;
    let refused = 0;
    const withAnswers = asked.filter((q) => q.answers.length > 0).length;
    for (const q of asked) {
      const started = performance.now();
      const { answer, hits } = await answerer.answerWithHits(q.question);
      samples.push(performance.now() - started);
      await nextTurn();
      if (answer.status === "nothing-relevant") refused++;
      if (
        q.answers.length &&
        answerInQuotes(
          answer.quotes.map((x) => x.text),
          q.answers,
          3,
        )
      )
        found++;
      const ranked = [...new Set(hits.map((h) => h.article.id))].slice(0, 5);
      if (q.docIds.some((d) => ranked.includes(d))) recalled++;
    }
    const round = (n: number) => Math.round(n * 1000) / 1000;
    out[set] = {
      questions: asked.length,
      askMs: percentiles(samples),
      aiq3: withAnswers ? round(found / withAnswers) : null,
      recall5: round(recalled / asked.length),
      refused: round(refused / asked.length),
    };
  }
  return out;
}

async function verbatimServe() {
  const started = performance.now();
  const store = new IndexStore(indexFile);
  store.match({ terms: [["news"]], mode: "and" }, 1);
  const openMs = performance.now() - started;
  // As the bot does when it starts: the date parser's set-up and the spelling vocabulary, read once.
  warmUpTimeReading();
  warmUpVocabulary(store);
  // Every query here has a word to search for (the rest were set aside and reported), so none fails fast.
  const searchSamples = await time(queries, (q) => search(store, q, { limit: 10 }));
  const answerer = createAnswerer({ corpus: { store, synonyms: new Map() } });
  const askSamples = await time(queries, (q) => answerer.answer(q));
  // The same asks as right after an ingest, when no term's frequency is cached yet.
  const askColdSamples = await time(queries, (q) => {
    store.forgetFrequencies();
    return answerer.answer(q);
  });
  const real = realFile
    ? await askReal(answerer, JSON.parse(readFileSync(realFile, "utf8")) as RealQuestion[])
    : {};
  const result = {
    passages: store.totalPassages(),
    openMs: Math.round(openMs * 10) / 10,
    searchMs: percentiles(searchSamples),
    askMs: percentiles(askSamples),
    askColdMs: percentiles(askColdSamples),
    ...(Object.keys(real).length ? { real } : {}),
    rssMB: rssMB(),
  };
  store.close();
  // The bench's tables are not left in the operator's database.
  if (onPostgres) await dropBenchSchema();
  return result;
}

async function alternative(name: Alternative) {
  const engineImpl = await createAlternative(name);
  const started = performance.now();
  let passages = 0;
  let batch: { id: string; title: string; text: string }[] = [];
  for await (const a of articles()) {
    for (const [i, text] of a.text.split("\n\n").entries())
      batch.push({ id: `${a.id}#${i}`, title: a.title, text });
    passages += a.paragraphs;
    if (batch.length >= BATCH) {
      await engineImpl.add(batch);
      batch = [];
    }
  }
  await engineImpl.add(batch);
  await engineImpl.finish();
  const seconds = (performance.now() - started) / 1000;
  const indexBytes = await engineImpl.sizeBytes();
  const openMs = await engineImpl.reopen();
  // The content words Verbatim searches for, so that every engine does the same work.
  const searchSamples = await time(words, (q) => engineImpl.search(q, 10));
  return {
    passages,
    ingestPerSec: Math.round(passages / seconds),
    ingestSeconds: seconds,
    indexBytes,
    openMs: openMs === null ? null : Math.round(openMs * 10) / 10,
    searchMs: percentiles(searchSamples),
    rssMB: rssMB(),
  };
}

const run =
  engine === "verbatim" || onPostgres
    ? phase === "build"
      ? verbatimBuild
      : verbatimServe
    : () => alternative(engine as Alternative);
run().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
