import path from "node:path";
import { z } from "zod";
import { VerbatimError } from "./errors.js";

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim().length > 0 ? v.trim() : undefined));

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

const schema = z.object({
  INDEX_PATH: optionalString,
  DATA_DIR: optionalString,
  SYNONYMS_PATH: optionalString,
  MAX_QUOTES: positiveInt(3),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .optional()
    .default("info"),
  STATE_URL: optionalString,
});

/** The typed, validated configuration every door reads once at start. */
export interface Config {
  indexPath: string;
  dataDir: string;
  synonymsPath: string;
  maxQuotes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  stateUrl: string | undefined;
}

/** Read configuration from an environment; fails with a message naming the variable at fault. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "configuration");
    throw new VerbatimError(
      "CONFIG_INVALID",
      `${name} is invalid: ${issue?.message ?? "bad value"}. See .env.example.`,
    );
  }
  const e = parsed.data;
  return Object.freeze({
    indexPath: path.resolve(cwd, e.INDEX_PATH ?? ".verbatim/index.sqlite"),
    dataDir: path.resolve(cwd, e.DATA_DIR ?? "data"),
    synonymsPath: path.resolve(cwd, e.SYNONYMS_PATH ?? "config/synonyms.txt"),
    maxQuotes: e.MAX_QUOTES,
    logLevel: e.LOG_LEVEL,
    stateUrl: e.STATE_URL,
  });
}
