import pino from "pino";
import pretty from "pino-pretty";

/**
 * Structured logger. CLI output owns stdout, so logs go to stderr unless told otherwise. Lines are JSON (for log
 * collectors) unless `format` is `pretty`, or `auto` and the destination is a terminal.
 */
export function createLogger(
  level: string,
  destination: 1 | 2 = 2,
  format: "auto" | "json" | "pretty" = "json",
): pino.Logger {
  const terminal = (destination === 1 ? process.stdout : process.stderr).isTTY === true;
  const readable = format === "pretty" || (format === "auto" && terminal);
  return pino(
    {
      level,
      // Secrets never reach a log line, even when an object that holds them is logged by mistake.
      redact: {
        paths: [
          "token",
          "*.token",
          "apiKey",
          "*.apiKey",
          "authorization",
          "*.authorization",
          "headers.authorization",
        ],
        censor: "[redacted]",
      },
    },
    readable
      ? pretty({
          destination,
          sync: true,
          colorize: terminal,
          translateTime: "SYS:HH:MM:ss",
          ignore: "pid,hostname",
        })
      : pino.destination({ fd: destination, sync: true }),
  );
}

export type Logger = pino.Logger;
