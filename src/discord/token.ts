import { DiscordjsErrorCodes } from "discord.js";

/** Whether a string has the shape of a bot token (three dot-separated base64url parts). */
export function looksLikeToken(token: string): boolean {
  return /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(token.replace(/^Bot\s+/i, ""));
}

/** What a person should do about a failed login, in one line; null for failures that are not about the bot's setup. */
export function loginProblem(error: unknown): string | null {
  const code = (error as { code?: string }).code;
  if (code === DiscordjsErrorCodes.TokenInvalid)
    return "Discord refused DISCORD_TOKEN (401): reset the token on the Developer Portal's Bot page and put the new one in .env.";
  if (code === DiscordjsErrorCodes.DisallowedIntents)
    return "Discord refused the gateway intents: Verbatim needs none of the privileged ones; check the bot's settings.";
  return null;
}

/**
 * What a person must fix after Discord closed the gateway for good (discord.js does not reconnect after these codes);
 * null for codes discord.js recovers from.
 */
export function fatalCloseProblem(code: number): string | null {
  const problems: Record<number, string> = {
    4004: "Discord closed the connection (4004, authentication failed): the token was reset or revoked. Reset it on the Developer Portal's Bot page and put the new one in DISCORD_TOKEN.",
    4010: "Discord closed the connection (4010, invalid shard): check the shard settings.",
    4011: "Discord closed the connection (4011, sharding required): the bot is in too many servers for one connection; run it sharded.",
    4012: "Discord closed the connection (4012, invalid API version): update discord.js (npm install).",
    4013: "Discord closed the connection (4013, invalid intents): the intents requested are not valid; update Verbatim.",
    4014: "Discord closed the connection (4014, disallowed intents): the bot asked for an intent the Developer Portal has not enabled. Verbatim needs no privileged intent; check its settings there.",
  };
  return problems[code] ?? null;
}
