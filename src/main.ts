import "./env.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCommands } from "../commands/index.js";
import type { Config } from "./config.js";
import { createBot } from "./discord/bot.js";
import { runShards, shardCount, shardId } from "./discord/sharding.js";
import { discordProblem, looksLikeToken } from "./discord/token.js";
import type { IndexStore } from "./index/store.js";
import { ingestPaths } from "./ingest/files.js";
import type { Logger } from "./log.js";
import { createLogger } from "./log.js";
import { appOrExit, configOrExit, fail } from "./process-start.js";
import { warmUpVocabulary } from "./search/spelling.js";
import { warmUpTimeReading } from "./search/time-window.js";

/** A fresh clone answers at once: the data folder is brought up to date (incrementally) before connecting. */
async function updateIndex(store: IndexStore, config: Config, log: Logger): Promise<void> {
  const report = await ingestPaths(store, [config.dataDir]);
  for (const warning of report.warnings) log.warn({ warning }, "ingest warning");
  for (const { file, why } of report.skipped) log.warn({ file, why }, "file skipped");
  log.info(
    {
      dataDir: path.relative(process.cwd(), config.dataDir),
      files: report.files,
      skipped: report.skipped.length,
      added: report.added,
      updated: report.updated,
      removed: report.removed,
      seconds: report.seconds,
    },
    "index up to date",
  );
}

/**
 * `SHARDS=auto|N`: this process only updates the index and runs the shard processes (each this same entry point),
 * stopping them all on SIGTERM or SIGINT.
 */
async function manageShards(config: Config, log: Logger, token: string): Promise<void> {
  const app = await appOrExit(config, log);
  await updateIndex(app.corpus.store, config, log);
  await app.close();
  let count: number;
  try {
    count = await shardCount(config.discord.shards ?? 1, token, config.discord.apiUrl);
  } catch (error) {
    fail(
      discordProblem(error, config.discord.apiUrl) ??
        `Could not ask Discord how many shards to run: ${(error as Error).message}`,
    );
  }
  log.info({ shards: count }, "starting shard processes");
  const entry = process.argv[1] ?? fileURLToPath(import.meta.url);
  const shards = await runShards({ entry, count, token, log, execArgv: process.execArgv });
  log.info({ shards: count }, "all shards connected");
  const stop = async (signal: string) => {
    log.info({ signal }, "stopping the shard processes");
    await shards.stop();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

async function main(): Promise<void> {
  const config = configOrExit();
  const token = config.discord.token;
  if (!token)
    fail(
      'DISCORD_TOKEN is not set: put your bot\'s token in .env (README, "Set up the bot (once)"). To try Verbatim without Discord, use `npm run ask`.',
    );
  if (!looksLikeToken(token))
    fail(
      "DISCORD_TOKEN does not look like a bot token (three parts separated by dots): copy it again from the Developer Portal's Bot page.",
    );

  const shard = shardId();
  const base = createLogger(config.logLevel, 1, config.logFormat);
  // A shard's lines say which shard wrote them: several processes write to one log.
  const log = shard === null ? base : base.child({ shard });
  if (config.discord.shards !== null && shard === null) return manageShards(config, log, token);
  const app = await appOrExit(config, log);
  // A shard's manager has brought the index up to date already.
  if (shard === null) await updateIndex(app.corpus.store, config, log);
  log.info({ state: app.state.describe }, "state opened");
  app.startBackground();
  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing replies in flight");
    await bot.stop();
    await app.close();
    log.info("stopped");
    process.exit(code);
  };
  // A connection Discord closed for good needs a person: exit non-zero so a supervisor alerts or restarts.
  const bot = createBot(app, {
    commands: loadCommands(),
    onFatal: (problem) => {
      process.stderr.write(`${problem}\n`);
      void shutdown("gateway closed", 1);
    },
  });
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  // The date parser's one-time set-up now, while connecting, rather than in the first dated question's reply.
  warmUpTimeReading();
  warmUpVocabulary(app.corpus.store);
  log.info({ api: config.discord.apiUrl ?? "https://discord.com/api" }, "connecting to Discord…");
  try {
    await bot.start(token);
  } catch (error) {
    const problem = discordProblem(error, config.discord.apiUrl);
    if (problem) fail(problem);
    log.error({ err: error }, "could not connect to Discord");
    fail(`Could not connect to Discord: ${(error as Error).message}`);
  }
}

void main();
