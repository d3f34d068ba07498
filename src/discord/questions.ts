import type { ChatInputCommandInteraction } from "discord.js";
import { windowFromOptions } from "../search/time-window.js";
import { createFeedbackStore } from "../state/feedback.js";
import {
  channelSource,
  createGuildSettings,
  type GuildSettings,
  mentionsAnswered,
  type Place,
} from "../state/guild-settings.js";
import type { BotDeps } from "./command.js";
import { placeOf } from "./place.js";
import { type MessagePayload, renderAnswer, renderNotice } from "./render.js";

/** Longest question the bot answers; longer ones are refused politely. */
export const MAX_DISCORD_QUESTION = 1000;

/**
 * Whether a slash command here answers privately because the server keeps this channel out of the bot's scope
 * (`/settings mentions`): commands still answer everywhere Discord lets them, only not in public.
 */
export async function outOfScope(deps: BotDeps, interaction: ChatInputCommandInteraction): Promise<boolean> {
  if (!interaction.guildId) return false;
  const settings = await createGuildSettings(deps.state.ns("settings")).get(interaction.guildId);
  return !mentionsAnswered(settings, placeOf(interaction));
}

/** Where a question was asked: the server (null in a DM) and the channel, whose settings apply. */
export interface AskedIn {
  guildId: string | null;
  place?: Place | null;
  /** The server's settings when the caller has already read them (to judge a mention's scope). */
  settings?: GuildSettings;
}

/**
 * Answer a question from any Discord door (slash command, DM, mention) as a message payload, under the server's
 * settings: its time zone for "yesterday", the channel's source unless one was chosen.
 */
export async function answerForDiscord(
  deps: BotDeps,
  question: string,
  where: AskedIn = { guildId: null },
  dates: {
    since?: string | null;
    until?: string | null;
    source?: string | null;
    context?: string | null;
  } = {},
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
  const { guildId } = where;
  const settings = where.settings ?? (await createGuildSettings(deps.state.ns("settings")).get(guildId));
  const asOf = deps.digests.clock();
  const chosen = windowFromOptions(dates.since, dates.until, asOf, settings.timeZone);
  if ("problem" in chosen) return renderNotice(chosen.problem);
  const source = dates.source?.trim() || (where.place ? channelSource(settings, where.place) : null);
  const answer = await deps.answerer.answer(text, {
    guildId,
    asOf,
    timeZone: settings.timeZone,
    ...(chosen.window ? { window: chosen.window } : {}),
    ...(source ? { source } : {}),
    ...(dates.context ? { context: dates.context } : {}),
  });
  // An answer that quotes something can be voted on; what was shown is kept with the vote.
  const feedback = createFeedbackStore(deps.state.ns("feedback"));
  const server = guildId ?? "dm";
  const votable = answer.quotes.length > 0 && !(await feedback.disabled(server));
  const feedbackId = votable
    ? await feedback.remember({
        guildId: server,
        question: answer.question,
        quotes: answer.quotes.map((q) => ({ text: q.text, title: q.article.title, url: q.article.url })),
        indexVersion: deps.corpus.store.version(),
      })
    : undefined;
  return renderAnswer(answer, { ...(feedbackId ? { feedbackId } : {}), followUp: true });
}
