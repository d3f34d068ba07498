import { readFile } from "node:fs/promises";
import { createAnswerer } from "../answer/answerer.js";
import { finalizeArticle } from "../corpus/article.js";
import { readJsonl } from "../corpus/readers/json.js";
import { VerbatimError } from "../errors.js";
import { IndexStore } from "../index/store.js";
import { upsertArticles } from "../ingest/files.js";
import type { SearchMode } from "../search/lexical.js";
import { type Embedder, embedMissing } from "../search/vectors.js";
import type { SynonymMap } from "../text/lexicon.js";
import type { Article, Hit } from "../types.js";
import { type Alternative, createAlternative } from "./engines/engine.js";
import { answerInQuotes, mean, ndcgAt, recallAt, reciprocalRankAt } from "./metrics.js";

/** One evaluation question, in the format of the shared evaluation sets. */
export interface EvalQuestion {
  id: string;
  question: string;
  answers: string[];
  doc_ids: string[];
}

/** The report `npm run eval -- --json` prints; other tools read these keys. */
export interface EvalReport {
  questions: number;
  "recall@1": number;
  "recall@5": number;
  "mrr@10": number;
  "ndcg@10": number | null;
  "answerInQuotes@1": number | null;
  "answerInQuotes@3": number | null;
  meanQuoteChars: number;
  nothingRelevant: number;
  seconds: number;
  ingestSeconds: number;
}

/** Options for `runEval`. */
export interface EvalOptions {
  docs: string;
  questions: string;
  qrels?: string;
  /** Index to build: an SQLite file or a postgres:// address (default an SQLite index in memory). */
  indexPath?: string;
  mode?: SearchMode;
  synonyms?: SynonymMap;
  /** Evaluate only the first N questions. */
  limit?: number;
  onWarning?: (message: string) => void;
  /** Fuse vector search into retrieval (OPENAI_EMBEDDING_MODEL against an OpenAI-compatible server). */
  embedder?: Embedder;
  /** Measure an alternative engine's retrieval instead of Verbatim's (no quotes: they only rank documents). */
  engine?: Alternative;
  /** Relevance threshold to answer with (default the answerer's own), for drawing the refusal trade-off. */
  minRelevance?: number;
  /** Called with one record per question, in order (`eval --dump FILE` writes them as JSON lines). */
  onQuestion?: (record: EvalRecord) => void;
  /** Called after each question with how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** What one question produced, for reading misses (`eval --dump`). */
export interface EvalRecord {
  id: string;
  question: string;
  answers: string[];
  gold: string[];
  status: "answered" | "nothing-relevant" | "degraded" | "ranked";
  /** Why nothing was quoted, or what was searched for instead, as the user is told. */
  reason?: string;
  quotes: string[];
  ranked: string[];
  answerInQuotes1: boolean | null;
  answerInQuotes3: boolean | null;
}

/** Read an input of the evaluation, or say which file is missing (no stack trace for a mistyped path). */
async function readInput(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new VerbatimError(
      "UNREADABLE",
      code === "ENOENT"
        ? `The ${what} file ${file} does not exist.`
        : `Cannot read the ${what} file ${file} (${code ?? (error as Error).message}).`,
      { cause: error },
    );
  }
}

/** Parse BEIR-style qrels (`query-id  corpus-id  score`, header line). */
export function parseQrels(text: string): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  for (const [i, line] of text.split("\n").entries()) {
    const [q, d, s] = line.trim().split(/\t|\s+/);
    if (!q || !d || (i === 0 && Number.isNaN(Number(s)))) continue;
    const score = Number(s ?? 1);
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)?.set(d, score);
  }
  return qrels;
}

/** What one question produced: the document ranking, and the quotes when the engine quotes. */
interface Judged {
  ranked: string[];
  quotes: string[] | null;
  status: EvalRecord["status"];
  reason?: string;
}

/** Score every question's judgement against the gold documents and answers. */
async function measure(
  options: EvalOptions,
  judge: (question: string) => Promise<Judged>,
  started: number,
  ingestSeconds: number,
): Promise<EvalReport> {
  const parsed = readQuestions(await readInput(options.questions, "questions"));
  const questions = options.limit ? parsed.slice(0, options.limit) : parsed;
  const qrels = options.qrels ? parseQrels(await readInput(options.qrels, "qrels")) : null;
  const r1: number[] = [];
  const r5: number[] = [];
  const mrr: number[] = [];
  const ndcg: number[] = [];
  const aiq1: number[] = [];
  const aiq3: number[] = [];
  const quoteChars: number[] = [];
  let nothing = 0;
  let quoting = false;
  for (const [i, q] of questions.entries()) {
    const relevance = qrels?.get(q.id) ?? new Map(q.doc_ids.map((d) => [d, 1]));
    const gold = new Set([...relevance.keys()]);
    const { ranked, quotes, status, reason } = await judge(q.question);
    r1.push(recallAt(ranked, gold, 1));
    r5.push(recallAt(ranked, gold, 5));
    mrr.push(reciprocalRankAt(ranked, gold, 10));
    if (qrels) ndcg.push(ndcgAt(ranked, relevance, 10));
    if (status === "nothing-relevant") nothing++;
    let hit1: boolean | null = null;
    let hit3: boolean | null = null;
    if (quotes !== null) {
      quoting = true;
      for (const t of quotes) quoteChars.push(t.length);
      if (q.answers.length > 0) {
        hit1 = answerInQuotes(quotes, q.answers, 1);
        hit3 = answerInQuotes(quotes, q.answers, 3);
        aiq1.push(hit1 ? 1 : 0);
        aiq3.push(hit3 ? 1 : 0);
      }
    }
    options.onQuestion?.({
      id: q.id,
      question: q.question,
      answers: q.answers,
      gold: [...gold],
      status,
      ...(reason ? { reason } : {}),
      quotes: quotes ?? [],
      ranked,
      answerInQuotes1: hit1,
      answerInQuotes3: hit3,
    });
    options.onProgress?.(i + 1, questions.length);
  }
  const hasAnswers = quoting && questions.some((q) => q.answers.length > 0);
  return {
    questions: questions.length,
    "recall@1": mean(r1),
    "recall@5": mean(r5),
    "mrr@10": mean(mrr),
    "ndcg@10": qrels ? mean(ndcg) : null,
    "answerInQuotes@1": hasAnswers ? mean(aiq1) : null,
    "answerInQuotes@3": hasAnswers ? mean(aiq3) : null,
    meanQuoteChars: mean(quoteChars),
    nothingRelevant: questions.length ? nothing / questions.length : 0,
    seconds: (performance.now() - started) / 1000,
    ingestSeconds,
  };
}

/** Distinct articles of the hits, in rank order: the document ranking the retrieval metrics score. */
function rankedArticles(hits: Hit[]): string[] {
  const ids: string[] = [];
  for (const h of hits) if (!ids.includes(h.article.id)) ids.push(h.article.id);
  return ids.slice(0, 10);
}

/** Build an index of the documents, ask every question, and measure retrieval and quoting. */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const docs = readJsonl(await readInput(options.docs, "documents"), options.docs);
  for (const w of docs.warnings) options.onWarning?.(w);
  const fetchedAt = new Date().toISOString();
  const articles = docs.drafts
    .map((d) => finalizeArticle(d, fetchedAt))
    .filter((a): a is Article => a !== null);

  if (options.engine) {
    // An alternative engine only ranks documents: it has no quotes to score.
    const engine = await createAlternative(options.engine);
    const ingestStart = performance.now();
    await engine.add(articles.map((a) => ({ id: a.id, title: a.title, text: a.text })));
    await engine.finish();
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    return measure(
      options,
      async (q) => ({ ranked: await engine.search(q, 10), quotes: null, status: "ranked" }),
      started,
      ingestSeconds,
    );
  }

  const store = new IndexStore(options.indexPath ?? ":memory:");
  try {
    const ingestStart = performance.now();
    upsertArticles(store, articles);
    store.optimize();
    // An index given by the user may hold other articles, which would answer the set's questions too.
    const held = store.stats().articles;
    if (held > articles.length)
      options.onWarning?.(
        `the index holds ${held} articles, ${held - articles.length} more than the set: use an empty index to measure the set alone`,
      );
    if (options.embedder) await embedMissing(store, options.embedder, { batchSize: 128 });
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    const answerer = createAnswerer({
      corpus: { store, synonyms: options.synonyms ?? new Map() },
      config: { minRelevance: options.minRelevance },
      embedder: options.embedder,
    });
    return await measure(
      options,
      async (question) => {
        const { answer, hits } = await answerer.answerWithHits(question, {
          passages: 50,
          mode: options.mode,
        });
        return {
          ranked: rankedArticles(hits),
          quotes: answer.quotes.map((x) => x.text),
          status: answer.status,
          reason: answer.reason ?? answer.searchedFor,
        };
      },
      started,
      ingestSeconds,
    );
  } finally {
    store.close();
  }
}

/** Parse a questions file (JSON lines of `{ id, question, answers, doc_ids }`). */
export function readQuestions(text: string): EvalQuestion[] {
  const out: EvalQuestion[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Partial<EvalQuestion>;
    if (typeof r.question !== "string") continue;
    out.push({
      id: String(r.id ?? out.length),
      question: r.question,
      answers: r.answers ?? [],
      doc_ids: (r.doc_ids ?? []).map(String),
    });
  }
  return out;
}
