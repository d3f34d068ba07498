import { DiscordAPIError, DiscordjsErrorCodes } from "discord.js";

/** Whether a string has the shape of a bot token (three dot-separated base64url parts). */
export function looksLikeToken(token: string): boolean {
  return /^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(token.replace(/^Bot\s+/i, ""));
}

/** How long and how often discord.js's REST client tries a request before giving up (its defaults). */
export const REST_TIMEOUT_MS = 15_000;

/**
 * What a person should do about a failed call to Discord (login, deploying commands), in one line; null for failures
 * that are not about the bot's setup or the network.
 */
export function discordProblem(error: unknown, apiUrl = "https://discord.com/api"): string | null {
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: { code?: string } }).cause;
  if (code === DiscordjsErrorCodes.TokenInvalid || (error instanceof DiscordAPIError && error.status === 401))
    return "Discord refused DISCORD_TOKEN (401): reset the token on the Developer Portal's Bot page and put the new one in .env.";
  if (code === DiscordjsErrorCodes.DisallowedIntents)
    return "Discord refused the gateway intents: with DISCORD_MESSAGE_CONTENT=true, switch on Message Content Intent on the Developer Portal's Bot page (or unset the variable); Verbatim needs no other privileged intent.";
  if (error instanceof DiscordAPIError) {
    if (error.code === 10002 || error.status === 404)
      return `Discord does not know that application (${error.status}): check DISCORD_CLIENT_ID (the Application ID on the portal's General Information page).`;
    if (error.code === 50001 || error.status === 403)
      return `Discord refused the request (${error.status}, ${error.message}): check DISCORD_GUILD_ID, and that the bot was added to that server with the applications.commands scope.`;
    return `Discord answered ${error.status}: ${error.message}`;
  }
  const name = (error as Error).name;
  if (name === "AbortError" || name === "TimeoutError" || /aborted/i.test((error as Error).message ?? ""))
    return `Discord did not answer within ${REST_TIMEOUT_MS / 1000} s (several tries) at ${apiUrl}: check the network, a proxy or firewall, and DISCORD_API_URL if you set it.`;
  const network = cause?.code ?? (typeof code === "string" ? code : undefined);
  if (
    network &&
    /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$/.test(
      network,
    )
  )
    return `Could not reach Discord at ${apiUrl} (${network}): check the network, and DISCORD_API_URL if you set it.`;
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
    4014: "Discord closed the connection (4014, disallowed intents): the bot asked for an intent the Developer Portal has not enabled. With DISCORD_MESSAGE_CONTENT=true, switch on Message Content Intent on the portal's Bot page, or unset the variable; Verbatim needs no other privileged intent.",
  };
  return problems[code] ?? null;
}
