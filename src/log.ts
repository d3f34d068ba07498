import pino from "pino";

/** Structured logger. CLI output owns stdout, so logs go to stderr. */
export function createLogger(level: string, destination: 1 | 2 = 2): pino.Logger {
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
    pino.destination({ fd: destination, sync: true }),
  );
}

export type Logger = pino.Logger;
