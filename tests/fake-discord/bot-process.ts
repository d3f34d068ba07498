import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The bot started as `npm start` starts it (same entry point, run from the sources), with its output collected. */
export interface BotProcess {
  child: ChildProcess;
  logs: () => Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/**
 * Start `src/main.ts` (or another entry point, such as `src/worker.ts`) with the given environment (nothing from the
 * parent's .env leaks in but PATH and HOME).
 */
export function startBot(env: Record<string, string>, entry = "src/main.ts"): BotProcess {
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DOTENV_CONFIG_PATH: "/nonexistent/.env",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += String(d);
  });
  child.stderr?.on("data", (d) => {
    err += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    logs: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
