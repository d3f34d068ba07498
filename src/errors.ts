/** Named errors with codes, mapped to short messages users see. */

export type ErrorCode = "CONFIG_INVALID" | "EMPTY_QUERY" | "INDEX_FAILED" | "UNREADABLE" | "USAGE";

/** An error that carries a code and a message fit to show a user as it is. */
export class VerbatimError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VerbatimError";
    this.code = code;
  }
}

/** True for errors whose message is meant for users. */
export function isUserFacing(error: unknown): error is VerbatimError {
  return error instanceof VerbatimError;
}

/** Milliseconds as seconds in a message for people: 500 → "0.5", 15000 → "15". */
export function inSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
