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
