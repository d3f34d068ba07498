import { type App, createApp } from "./app.js";
import { type Config, loadConfig } from "./config.js";
import { isUserFacing } from "./errors.js";
import type { Logger } from "./log.js";

/** Print one line and leave with a failure code: configuration problems need no stack trace. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The configuration, or exit 1 naming the variable at fault. */
export function configOrExit(): Readonly<Config> {
  try {
    return loadConfig();
  } catch (error) {
    fail(isUserFacing(error) ? error.message : String(error));
  }
}

/** The app, with its index checked page by page before any door opens, or exit 1 saying what is wrong. */
export async function appOrExit(config: Readonly<Config>, log: Logger): Promise<App> {
  try {
    const app = await createApp(config, log);
    // A damaged index is found at start, not by the first person who asks.
    app.corpus.store.check();
    return app;
  } catch (error) {
    fail(isUserFacing(error) ? error.message : `Could not start: ${(error as Error).message}`);
  }
}
