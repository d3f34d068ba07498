import path from "node:path";
import { z } from "zod";
import { VerbatimError } from "./errors.js";
import { isPostgresUrl } from "./index/location.js";
import { PROJECT_ROOT } from "./paths.js";
import { INDEX_LANGUAGES } from "./text/languages.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim().length > 0 ? v.trim() : undefined));

/** A true/false setting (true, 1, yes / false, 0, no), false when unset. */
const flag = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return false;
      if (/^(true|1|yes)$/i.test(v.trim())) return true;
      if (/^(false|0|no)$/i.test(v.trim())) return false;
      ctx.addIssue({ code: "custom", message: "must be true or false" });
      return z.NEVER;
    });

const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.addIssue({ code: "custom", message: "must be a positive whole number" });
        return z.NEVER;
      }
      return n;
    });

/** What a relevance threshold may be, in words for messages. */
export const RELEVANCE_RANGE = "a number from 0 (never refuse) to 1";

/** A relevance threshold as typed (`MIN_RELEVANCE`, `eval --min-relevance`), or null when it is not one. */
export function relevanceThreshold(text: string): number | null {
  const n = Number(text);
  return text.trim() !== "" && Number.isFinite(n) && n >= 0 && n <= 1 ? n : null;
}

const schema = z.object({
  INDEX_PATH: optionalString,
  INDEX_URL: optionalString.refine((v) => v === undefined || isPostgresUrl(v), {
    message: "must be a postgres:// address (leave it empty for the SQLite file at INDEX_PATH)",
  }),
  DATA_DIR: optionalString,
  SYNONYMS_PATH: optionalString,
  MAX_QUOTES: positiveInt(3),
  MIN_RELEVANCE: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const n = relevanceThreshold(v);
    if (n === null) {
      ctx.addIssue({ code: "custom", message: `must be ${RELEVANCE_RANGE}` });
      return z.NEVER;
    }
    return n;
  }),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .optional()
    .default("info"),
  LOG_FORMAT: z.enum(["auto", "json", "pretty"]).optional().default("auto"),
  STATE_URL: optionalString,
  DISCORD_TOKEN: optionalString,
  DISCORD_CLIENT_ID: optionalString.refine(
    (v) => v === undefined || /^\d{17,20}$/.test(v),
    "must be the application's numeric id",
  ),
  DISCORD_GUILD_ID: optionalString.refine(
    (v) => v === undefined || /^\d{17,20}$/.test(v),
    "must be a numeric server id",
  ),
  DISCORD_API_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\//.test(v),
    "must be an http(s) URL",
  ),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\//.test(v),
    "must be an http(s) URL",
  ),
  OPENAI_MODEL: optionalString,
  OPENAI_EMBEDDING_MODEL: optionalString,
  OPENAI_TIMEOUT_MS: positiveInt(20_000),
  OPENAI_ANSWER_BUDGET_MS: positiveInt(25_000),
  OPENAI_MAX_RETRIES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return 2;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 10) {
        ctx.addIssue({ code: "custom", message: "must be a whole number from 0 to 10" });
        return z.NEVER;
      }
      return n;
    }),
  LLM_DAILY_LIMIT: positiveInt(200),
  LLM_CACHE_HOURS: positiveInt(24),
  ALLOW_PRIVATE_URLS: flag(),
  FETCH_TIMEOUT_MS: positiveInt(15_000),
  FETCH_MAX_BYTES: positiveInt(5_000_000),
  FEED_INTERVAL_MINUTES: positiveInt(30),
  FEEDS: optionalString,
  COOLDOWN_QUESTIONS: positiveInt(5),
  COOLDOWN_SECONDS: positiveInt(30),
  LEASE_SECONDS: positiveInt(30),
  FOLLOWUP_MINUTES: positiveInt(60),
  INDEX_LANGUAGE: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const code = (v ?? "").trim().toLowerCase() || "en";
      if (code in INDEX_LANGUAGES) return code;
      ctx.addIssue({
        code: "custom",
        message: `must be one of ${Object.keys(INDEX_LANGUAGES).join(", ")} (the language of the articles)`,
      });
      return z.NEVER;
    }),
  DISCORD_MESSAGE_CONTENT: flag(),
  SHARDS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = (v ?? "").trim().toLowerCase();
      if (!value) return null;
      if (value === "auto") return "auto" as const;
      if (/^\d+$/.test(value) && Number(value) >= 1) return Number(value);
      ctx.addIssue({
        code: "custom",
        message: "must be auto (as many as Discord recommends) or a number of shards, 1 or more",
      });
      return z.NEVER;
    }),
});

/** The typed, validated configuration every door reads once at start. */
export interface Config {
  indexPath: string;
  /** The language of the articles (ISO 639-1), fixed when an index is created: English is stemmed, others not. */
  indexLanguage: string;
  dataDir: string;
  synonymsPath: string;
  maxQuotes: number;
  /** Relevance confidence below which nothing is quoted (`MIN_RELEVANCE`; unset: the default fitted on the dev sets). */
  minRelevance: number | undefined;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Log lines as JSON, or readable lines; `auto`: readable on a terminal, JSON otherwise. */
  logFormat: "auto" | "json" | "pretty";
  /** Keyv URL: sqlite://FILE (default, next to the index), redis://… or postgres://…. */
  stateUrl: string;
  discord: {
    token: string | undefined;
    clientId: string | undefined;
    guildId: string | undefined;
    /** REST base passed to discord.js as `rest.api` (a proxy, or a local fake in tests). */
    apiUrl: string | undefined;
    /**
     * Ask for the privileged Message Content intent, so follow-up threads are answered without a mention (it must
     * also be switched on in the Developer Portal, or Discord closes the connection with 4014).
     */
    messageContent: boolean;
    /** Shard processes to run (`SHARDS`): a number, `auto` (Discord's recommendation), or null for one process. */
    shards: number | "auto" | null;
  };
  cooldown: { questions: number; seconds: number };
  /** How long feed polling and digest delivery stay with a process that stopped renewing its lease (a crash). */
  leaseSeconds: number;
  /** How long a reply to an answer still follows up its question. */
  followUpMinutes: number;
  web: {
    allowPrivate: boolean;
    timeoutMs: number;
    maxBytes: number;
    feedIntervalMinutes: number;
    /** Feeds to follow from FEEDS (comma-separated URLs). */
    feeds: string[];
  };
  /** OpenAI-compatible service; `apiKey` unset means extractive answers only. */
  openai: {
    apiKey: string | undefined;
    baseURL: string | undefined;
    model: string;
    embeddingModel: string | undefined;
    timeoutMs: number;
    maxRetries: number;
    /** Longest a person waits for a written answer, retries included, before getting the quotes alone. */
    answerBudgetMs: number;
    dailyLimit: number;
    cacheHours: number;
  };
}

/** Read configuration from an environment; fails with a message naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  // An empty variable means "unset", whatever it is: `cp .env.example .env` leaves every optional one empty.
  const given = Object.fromEntries(
    Object.entries(env).filter(
      // In a shard process, SHARDS is the shard's own id, set by discord.js's ShardingManager: not the operator's.
      ([k, v]) => v !== undefined && v.trim() !== "" && !(k === "SHARDS" && env.SHARDING_MANAGER === "true"),
    ),
  );
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "configuration");
    throw new VerbatimError(
      "CONFIG_INVALID",
      `${name} is invalid: ${issue?.message ?? "bad value"}. See .env.example.`,
    );
  }
  const e = parsed.data;
  // A path given is read from where the command runs; the defaults live in Verbatim's own folder, whatever that is.
  const where = (given: string | undefined, fallback: string) =>
    given ? path.resolve(cwd, given) : path.join(PROJECT_ROOT, fallback);
  // A PostgreSQL index (INDEX_URL) takes the place of the SQLite file; the state stays in Verbatim's folder.
  const indexPath = e.INDEX_URL ?? where(e.INDEX_PATH, ".verbatim/index.sqlite");
  const stateFolder = e.INDEX_URL ? path.join(PROJECT_ROOT, ".verbatim") : path.dirname(indexPath);
  return Object.freeze({
    indexPath,
    indexLanguage: e.INDEX_LANGUAGE,
    dataDir: where(e.DATA_DIR, "data"),
    synonymsPath: where(e.SYNONYMS_PATH, "config/synonyms.txt"),
    maxQuotes: e.MAX_QUOTES,
    minRelevance: e.MIN_RELEVANCE,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    stateUrl: e.STATE_URL ?? `sqlite://${path.join(stateFolder, "state.sqlite")}`,
    discord: Object.freeze({
      token: e.DISCORD_TOKEN,
      clientId: e.DISCORD_CLIENT_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiUrl: e.DISCORD_API_URL?.replace(/\/+$/, ""),
      messageContent: e.DISCORD_MESSAGE_CONTENT,
      shards: e.SHARDS,
    }),
    cooldown: Object.freeze({ questions: e.COOLDOWN_QUESTIONS, seconds: e.COOLDOWN_SECONDS }),
    leaseSeconds: e.LEASE_SECONDS,
    followUpMinutes: e.FOLLOWUP_MINUTES,
    web: Object.freeze({
      allowPrivate: e.ALLOW_PRIVATE_URLS,
      timeoutMs: e.FETCH_TIMEOUT_MS,
      maxBytes: e.FETCH_MAX_BYTES,
      feedIntervalMinutes: e.FEED_INTERVAL_MINUTES,
      feeds: (e.FEEDS ?? "").split(/[\s,]+/).filter(Boolean),
    }),
    openai: Object.freeze({
      apiKey: e.OPENAI_API_KEY,
      baseURL: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL ?? "gpt-4o-mini",
      embeddingModel: e.OPENAI_EMBEDDING_MODEL,
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      maxRetries: e.OPENAI_MAX_RETRIES,
      answerBudgetMs: e.OPENAI_ANSWER_BUDGET_MS,
      dailyLimit: e.LLM_DAILY_LIMIT,
      cacheHours: e.LLM_CACHE_HOURS,
    }),
  });
}
