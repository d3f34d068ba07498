import "./env.js";
import path from "node:path";
import { DiscordjsErrorCodes } from "discord.js";
import { answererFromConfig, embedderFromConfig } from "./answer/setup.js";
import { loadConfig } from "./config.js";
import { createBot } from "./discord/bot.js";
import { looksLikeToken } from "./discord/token.js";
import { isUserFacing } from "./errors.js";
import { ingestPaths } from "./index/ingest.js";
import { openCorpus } from "./index/open.js";
import { createLogger } from "./log.js";
import { embedMissing } from "./search/vectors.js";
import { openState } from "./state/state.js";
import { webFromConfig } from "./web/setup.js";

/** Print one line and leave with a failure code: configuration problems need no stack trace. */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    fail(isUserFacing(error) ? error.message : String(error));
  }
  const token = config.discord.token;
  if (!token)
    fail(
      'DISCORD_TOKEN is not set: put your bot\'s token in .env (README, "Discord setup"). To try Verbatim without Discord, use `npm run ask`.',
    );
  if (!looksLikeToken(token))
    fail(
      "DISCORD_TOKEN does not look like a bot token (three parts separated by dots): copy it again from the Developer Portal's Bot page.",
    );

  const log = createLogger(config.logLevel, 1);
  const corpus = openCorpus(config);
  // A fresh clone answers at once: the data folder is brought up to date (incrementally) before connecting.
  const report = await ingestPaths(corpus.store, [config.dataDir]);
  for (const warning of report.warnings) log.warn({ warning }, "ingest warning");
  log.info(
    {
      dataDir: path.relative(process.cwd(), config.dataDir),
      added: report.added,
      updated: report.updated,
      removed: report.removed,
      seconds: report.seconds,
    },
    "index up to date",
  );
  const state = await openState(config.stateUrl);
  log.info({ state: state.describe }, "state opened");

  const embedder = embedderFromConfig(config);
  const answerer = answererFromConfig(corpus, config, log, state);
  // Network calls to the model provider run beside start-up, not before it: a slow or unreachable provider must not
  // keep the bot from connecting. Until they finish, answers use what is already there (words, stored vectors).
  if (embedder) {
    void embedMissing(corpus.store, embedder)
      .then((embedded) => log.info({ embedded, model: embedder.model }, "embeddings up to date"))
      .catch((err: unknown) =>
        log.error({ err }, "embedding passages failed; answers use words only until the next start"),
      );
  }
  void answerer.checkLlm().then(() =>
    log.info(
      {
        llm: config.openai.apiKey && !answerer.llmDisabled ? config.openai.model : "off (extractive answers)",
        embeddings: embedder?.model ?? "off",
      },
      "answer modes",
    ),
  );

  const web = webFromConfig(corpus.store, config, log, embedder);
  const bot = createBot({ corpus, state, config, log, answerer, web });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing replies in flight");
    await bot.stop();
    await web.fetcher.close();
    await state.close();
    corpus.store.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    await bot.start(token);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === DiscordjsErrorCodes.TokenInvalid) {
      fail(
        "Discord refused DISCORD_TOKEN (401): reset the token on the Developer Portal's Bot page and put the new one in .env.",
      );
    }
    if (code === DiscordjsErrorCodes.DisallowedIntents) {
      fail(
        "Discord refused the gateway intents: Verbatim needs none of the privileged ones; check the bot's settings.",
      );
    }
    log.error({ err: error }, "could not connect to Discord");
    fail(`Could not connect to Discord: ${(error as Error).message}`);
  }
}

void main();
