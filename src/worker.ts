import "./env.js";
import { startDigestWorker } from "./discord/delivery-worker.js";
import { createLogger } from "./log.js";
import { appOrExit, configOrExit } from "./process-start.js";

/**
 * `npm run worker`: feed polling and scheduled digests without a gateway connection, for operators who run them
 * apart from the bot processes. Both are leased in the state backend, so whichever process holds a lease does
 * that work, and another takes over after a crash.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.logLevel, 1, config.logFormat);
  const app = await appOrExit(config, log);
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
