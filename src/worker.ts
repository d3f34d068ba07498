import "./env.js";
import { createApp } from "./app.js";
import { loadConfig } from "./config.js";
import { startDigestWorker } from "./discord/delivery-worker.js";
import { isUserFacing } from "./errors.js";
import { createLogger } from "./log.js";

/**
 * `npm run worker`: feed polling and scheduled digests without a gateway connection, for operators who run them
 * apart from the bot processes. Both are leased in the state backend, so whichever process holds a lease does
 * that work, and another takes over after a crash.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${isUserFacing(error) ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const log = createLogger(config.logLevel, 1, config.logFormat);
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, log);
    app.corpus.store.check();
  } catch (error) {
    process.stderr.write(
      `${isUserFacing(error) ? error.message : `Could not start: ${(error as Error).message}`}\n`,
    );
    process.exit(1);
  }
  app.startBackground();
  const token = config.discord.token;
  const digests = token
    ? startDigestWorker({
        corpus: app.corpus,
        state: app.state,
        log,
        token,
        apiUrl: config.discord.apiUrl,
        leaseSeconds: config.leaseSeconds,
      })
    : null;
  log.info(
    {
      feeds: "polling (when this process holds the lease)",
      digests: digests ? "delivering" : "off: DISCORD_TOKEN is not set",
    },
    "worker started",
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "worker stopping");
    await digests?.stop();
    await app.close();
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

void main();
