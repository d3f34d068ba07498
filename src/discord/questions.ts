import { windowFromOptions } from "../search/time-window.js";
import type { BotDeps } from "./command.js";
import { type MessagePayload, renderAnswer, renderNotice } from "./render.js";

/** Longest question the bot answers; longer ones are refused politely. */
export const MAX_DISCORD_QUESTION = 1000;

/** Answer a question from any Discord door (slash command, DM, mention) as a message payload. */
export async function answerForDiscord(
  deps: BotDeps,
  question: string,
  guildId: string | null = null,
  dates: { since?: string | null; until?: string | null; source?: string | null } = {},
): Promise<MessagePayload> {
  const text = question.trim();
  if (text.length > MAX_DISCORD_QUESTION) {
    return renderNotice(
      `That question is ${text.length.toLocaleString("en")} characters long; please ask in under ${MAX_DISCORD_QUESTION.toLocaleString("en")} characters.`,
    );
  }
  if (text.length === 0)
    return renderNotice(
      "Ask me a question about the news, for example: *what did the vice minister say about wastewater?*",
    );
  const asOf = deps.digests.clock();
  const chosen = windowFromOptions(dates.since, dates.until, asOf);
  if ("problem" in chosen) return renderNotice(chosen.problem);
  return renderAnswer(
    await deps.answerer.answer(text, {
      guildId,
      asOf,
      ...(chosen.window ? { window: chosen.window } : {}),
      ...(dates.source?.trim() ? { source: dates.source.trim() } : {}),
    }),
  );
}
