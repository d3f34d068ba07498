import "./env.js";
import path from "node:path";
import { loadCommands } from "../commands/index.js";
import { createBot } from "./discord/bot.js";
import { discordProblem, looksLikeToken } from "./discord/token.js";
import { ingestPaths } from "./ingest/files.js";
import { createLogger } from "./log.js";
import { appOrExit, configOrExit, fail } from "./process-start.js";
import { warmUpVocabulary } from "./search/spelling.js";
import { warmUpTimeReading } from "./search/time-window.js";

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

  const log = createLogger(config.logLevel, 1, config.logFormat);
  const app = await appOrExit(config, log);
  // A fresh clone answers at once: the data folder is brought up to date (incrementally) before connecting.
  const report = await ingestPaths(app.corpus.store, [config.dataDir]);
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
