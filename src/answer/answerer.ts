import { createHash } from "node:crypto";
import type Keyv from "keyv";
import type { Config } from "../config.js";
import { inSeconds, isUserFacing } from "../errors.js";
import { heapBoundBetween } from "../heap-bound.js";
import type { Corpus } from "../index/open.js";
import { createLogger, type Logger } from "../log.js";
import type { SearchMode, SearchResult } from "../search/lexical.js";
import { parseQuery, takeSiteFilter } from "../search/query.js";
import { retrieve } from "../search/retrieve.js";
import { correctedText } from "../search/spelling.js";
import { type DayWindow, readTime } from "../search/time-window.js";
import { type Embedder, VectorIndex } from "../search/vectors.js";
import type { Limit } from "../state/limits.js";
import { foreignLanguage } from "../text/language.js";
import { INDEX_LANGUAGES } from "../text/languages.js";
import type { Answer, Hit } from "../types.js";
import { composeExtractive } from "./extractive.js";
import { describeLlmError, type LlmComposer, LlmError } from "./llm.js";
import { verifyModelAnswer } from "./verify.js";

/** What the answerer uses; only the corpus is required (no model: extractive answers). */
export interface AnswererDeps {
  corpus: Corpus;
  /** Quotes at most, the model's cache lifetime and time budget (defaults: 3 quotes, no cache, 25 s). */
  config?: {
    maxQuotes?: number;
    /** Relevance confidence below which nothing is quoted (default `RELEVANCE_THRESHOLD`; 0 never refuses). */
    minRelevance?: number;
    openai?: Partial<Pick<Config["openai"], "cacheHours" | "answerBudgetMs">>;
  };
  log?: Logger;
  llm?: LlmComposer;
  embedder?: Embedder;
  /** Keyv namespace for cached LLM answers. */
  cache?: Keyv;
  /** Written answers per guild per day (`LLM_DAILY_LIMIT`), counted atomically across processes. */
  quota?: Limit;
}

/** Passages the LLM is shown. */
export const LLM_PASSAGES = 6;

/** Where a question comes from (for quotas) and how to search for it. */
export interface AnswerOptions {
  guildId?: string | null;
  /** Passages to retrieve (default 20). */
  passages?: number;
  /** How query terms combine (default `auto`: all terms first, then any). */
  mode?: SearchMode;
  /** The moment the question is asked, for "last week" and the like (default now). */
  asOf?: Date;
  /** The asker's time zone (IANA name), in which "yesterday" and "last week" are counted (default UTC). */
  timeZone?: string | null;
  /** A window chosen outside the question (`/ask since: until:`), which wins over one the question names. */
  window?: DayWindow;
  /** Read time words in the question (default true). */
  time?: boolean;
  /** Only articles from this source: a site name or a web host (`/ask source:`, or `site:host` in the question). */
  source?: string;
  /**
   * The question this one follows up (a reply to an answer): its content words join the search, at half weight,
   * so "and how long is the wait?" after a question about the harbor is about the harbor.
   */
  context?: string;
}

/** Content words of an earlier question that the follow-up does not already have, and their stems. */
function carriedOver(question: string, context: string | undefined): { words: string[]; stems: Set<string> } {
  if (!context) return { words: [], stems: new Set() };
  let own: Set<string>;
  let earlier: ReturnType<typeof parseQuery>["terms"];
  try {
    earlier = parseQuery(context).terms;
  } catch {
    return { words: [], stems: new Set() };
  }
  try {
    own = new Set(parseQuery(question).terms.map((t) => t.stem));
  } catch {
    own = new Set();
  }
  const carried = earlier.filter((t) => !own.has(t.stem) && !t.word.includes(" "));
  return { words: carried.map((t) => t.word), stems: new Set(carried.map((t) => t.stem)) };
}

/** Prefer newer articles among the candidates ("latest", "recent"): each gains up to half its score by date rank. */
function preferRecent(result: SearchResult): SearchResult {
  const dated = result.hits.slice(0, 20).map((h) => h.article.publishedAt ?? "");
  const order = [...new Set(dated)].sort();
  const freshness = (d: string) => (order.length > 1 ? order.indexOf(d) / (order.length - 1) : 0);
  const hits = result.hits
    .map((h, i) =>
      i < 20 ? { ...h, score: h.score * (1 + 0.5 * freshness(h.article.publishedAt ?? "")) } : h,
    )
    .sort((a, b) => b.score - a.score);
  return { ...result, hits };
}

/** A question with nothing to search for is answered, not failed: "nothing relevant", saying why. Rethrows others. */
function nothingToSearch(question: string, error: unknown): Answer {
  if (isUserFacing(error) && error.code === "EMPTY_QUERY") {
    return { question, status: "nothing-relevant", quotes: [], reason: error.message };
  }
  throw error;
}

/** The answer pipeline every door shares: retrieval (BM25, fused with vectors when configured), then an extractive
 * answer, or an LLM answer whose quotes are verified, falling back to extractive with the reason. */
export function createAnswerer(deps: AnswererDeps) {
  const { store, synonyms } = deps.corpus;
  const log = deps.log ?? createLogger("silent");
  const maxQuotes = deps.config?.maxQuotes ?? 3;
  const cacheMs = (deps.config?.openai?.cacheHours ?? 0) * 3_600_000;
  const budgetMs = deps.config?.openai?.answerBudgetMs ?? 25_000;
  const vectors = deps.embedder ? new VectorIndex(store, deps.embedder.model) : undefined;
  const retrieval = { store, synonyms, embedder: deps.embedder, vectors, log };
  let llm = deps.llm;
  let llmDisabled: string | null = null;
  const stats = { docFreq: (s: string) => store.docFreq(s), total: () => store.totalPassages() };
  const articleText = (id: string) => store.getArticle(id)?.text ?? null;

  function extractive(question: string, result: SearchResult, contextStems?: ReadonlySet<string>): Answer {
    return composeExtractive(question, result, stats, {
      maxQuotes,
      articleText,
      minRelevance: deps.config?.minRelevance,
      ...(contextStems?.size ? { contextStems } : {}),
    });
  }

  async function withinQuota(ctx: AnswerOptions): Promise<boolean> {
    if (!deps.quota || !ctx.guildId) return true;
    // One key per guild and UTC day: the limit's window (two days) outlives the day, so the count is the day's.
    return (await deps.quota.take(`${ctx.guildId}:${new Date().toISOString().slice(0, 10)}`)).allowed;
  }

  /** The cache key of a question (case and spacing aside) with what its answer depends on. */
  function cacheKey(question: string, ...dependsOn: string[]): string {
    const normalized = question.toLowerCase().replace(/\s+/g, " ").trim();
    return createHash("sha256")
      .update([normalized, ...dependsOn, store.version(), llm?.model ?? ""].join("\u0000"))
      .digest("hex");
  }

  // A process that answers for weeks keeps its heap near what answers leave live, not what V8 lets pile up.
  const boundHeap = heapBoundBetween();

  async function answerWithHits(
    question: string,
    ctx: AnswerOptions = {},
  ): Promise<{ answer: Answer; hits: Hit[] }> {
    try {
      return await answerOnce(question, ctx);
    } finally {
      boundHeap();
    }
  }

  async function answerOnce(question: string, ctx: AnswerOptions): Promise<{ answer: Answer; hits: Hit[] }> {
    // Time words name a window on the articles' dates, or ask for the newest. Within a window they are not searched
    // for (the window does their work); elsewhere only words relative to now ("last week", "latest") leave the
    // question, since a date is often the very word of the answering sentence ("Who bought the factory in 2005?").
    const site = takeSiteFilter(question);
    const source = ctx.source ?? site.source ?? undefined;
    const followed = carriedOver(site.rest || question, ctx.context);
    const asked = [site.rest || question, ...followed.words].join(" ");
    const reading = ctx.time === false ? null : readTime(asked, ctx.asOf ?? new Date(), ctx.timeZone);
    const window = ctx.window ?? reading?.window ?? null;
    const search = (text: string, within: DayWindow | null) =>
      retrieve(retrieval, text, {
        limit: ctx.passages ?? 20,
        mode: ctx.mode,
        ...(within ? { window: { from: within.from, to: within.to } } : {}),
        ...(source ? { source } : {}),
      }).then((r) => (reading?.recency ? preferRecent(r) : r));
    let text = asked;
    let plain: Answer | null = null;
    let result: SearchResult = { query: { text: question, terms: [] }, hits: [] };
    if (window) {
      const within = ctx.window ? asked : reading?.rest || asked;
      try {
        const windowed = await search(within, window);
        const answer = { ...extractive(within, windowed, followed.stems), question };
        if (answer.status === "answered") {
          result = windowed;
          text = within;
          plain = { ...answer, note: `From articles dated ${window.label}.` };
        }
      } catch (error) {
        // Nothing left to search once the time words are out ("what happened last week?"): search as typed.
        if (!(isUserFacing(error) && error.code === "EMPTY_QUERY")) throw error;
      }
    }
    if (!plain) {
      text = reading?.searchable || asked;
      try {
        result = await search(text, null);
      } catch (error) {
        return { answer: nothingToSearch(question, error), hits: [] };
      }
      plain = { ...extractive(text, result, followed.stems), question };
      // Nothing in the window: say so, naming it, and show what answers from other dates (the question may be about
      // its own week, as a news quiz is).
      if (window && plain.status === "answered")
        plain.note = `Nothing dated ${window.label} answers that; these are the closest, from other dates.`;
      else if (window)
        plain.reason = `Nothing dated ${window.label} answers that, nor anything from other dates.`;
    }
    if (source) {
      if (plain.status === "answered")
        plain.note = `${plain.note ? `${plain.note} ` : ""}Quoting only ${source}.`;
      else plain.reason = `Nothing from ${source} answers that${plain.reason ? ` (${plain.reason})` : "."}`;
    }
    if (result.corrections?.length) plain.searchedFor = correctedText(text, result.corrections);
    // A question in another language than the index's finds little: say so rather than only "nothing found".
    const language = plain.status === "nothing-relevant" ? foreignLanguage(question, store.language) : null;
    if (language) {
      const corpus = INDEX_LANGUAGES[store.language] ?? store.language;
      plain.reason =
        `This looks like ${language}: the corpus is in ${corpus}, and questions are answered in ${corpus}. ${plain.reason ?? ""}`.trim();
    }
    // No model, or nothing relevant to show it: the extractive answer is the answer (and costs nothing).
    if (!llm || plain.status === "nothing-relevant") return { answer: plain, hits: result.hits };
    // A dated question's answer depends on the day it is asked ("last week"): the window is part of the key.
    const key = cacheKey(
      question,
      window ? `${window.from}\u0000${window.to}` : "",
      source ?? "",
      ctx.context ?? "",
    );
    const cached = await deps.cache?.get<Answer>(key);
    if (cached) return { answer: { ...cached, question }, hits: result.hits };
    if (!(await withinQuota(ctx))) {
      return {
        answer: {
          ...plain,
          status: "degraded",
          reason:
            "This server's daily limit of written answers is reached: direct quotes only until tomorrow.",
        },
        hits: result.hits,
      };
    }
    const shown = result.hits.slice(0, LLM_PASSAGES);
    let answer: Answer;
    // One bound on the whole written answer, retries included: past it the person gets the quotes, and why.
    const budget = new AbortController();
    const timer = setTimeout(
      () => budget.abort(new LlmError(`the language model did not answer within ${inSeconds(budgetMs)} s`)),
      budgetMs,
    );
    try {
      const started = performance.now();
      const { answer: model, usage } = await llm.write(question, shown, budget.signal, ctx.context);
      const verified = verifyModelAnswer(model, shown, articleText, question);
      log.info(
        {
          model: llm.model,
          promptTokens: usage.promptTokens,
          completionTokens: usage.completionTokens,
          ms: Math.round(performance.now() - started),
          quotes: verified.quotes.length,
          dropped: verified.dropped,
        },
        "llm answer",
      );
      if (model.not_in_sources) {
        answer = {
          question,
          status: "nothing-relevant",
          quotes: [],
          reason: "The sources do not contain the answer.",
        };
      } else if (verified.quotes.length === 0 || verified.prose.length === 0) {
        answer = {
          ...plain,
          status: "degraded",
          reason:
            "The written answer's quotes could not be found in the sources, so only direct quotes are shown.",
        };
      } else {
        answer = {
          question,
          status: "answered",
          prose: verified.prose,
          quotes: verified.quotes,
          ...(plain.searchedFor ? { searchedFor: plain.searchedFor } : {}),
          ...(plain.note ? { note: plain.note } : {}),
        };
      }
      // A written answer whose quotes failed verification is not kept: the next asking may get a good one.
      if (cacheMs > 0 && answer.status !== "degraded") await deps.cache?.set(key, answer, cacheMs);
    } catch (error) {
      const cause = budget.signal.aborted ? budget.signal.reason : error;
      log.warn({ err: cause, model: llm.model }, "llm answer failed; falling back to extractive");
      answer = {
        ...plain,
        status: "degraded",
        reason: `${capitalize(describeLlmError(cause))}, so only direct quotes are shown.`,
      };
    } finally {
      clearTimeout(timer);
    }
    return { answer, hits: result.hits };
  }

  return {
    answerWithHits,
    /** Answer a question (never throws for odd input). */
    async answer(question: string, ctx: AnswerOptions = {}): Promise<Answer> {
      return (await answerWithHits(question, ctx)).answer;
    },
    /** Check the LLM key once; a refused key turns written answers off, with the reason logged once. */
    async checkLlm(): Promise<string | null> {
      if (!llm) return null;
      const problem = await llm.check();
      if (problem) {
        llmDisabled = problem;
        llm = undefined;
        log.error({ problem }, "language model disabled");
      }
      return problem;
    },
    get llmDisabled() {
      return llmDisabled;
    },
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export type Answerer = ReturnType<typeof createAnswerer>;
