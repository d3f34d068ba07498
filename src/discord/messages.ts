import type { Client, Message } from "discord.js";
import { createGuildSettings, mentionsAnswered } from "../state/guild-settings.js";
import type { Limit } from "../state/limits.js";
import type { BotDeps } from "./command.js";
import { joinTopic, questionAnswered, rememberQuestion, rememberThread, threadTopic } from "./follow-ups.js";
import { placeOf } from "./place.js";
import { answerForDiscord } from "./questions.js";
import { renderNotice } from "./render.js";
import { apology, errorId } from "./router.js";

/** The question in a message: its text without the mentions that addressed the bot. */
export function questionFromMessage(content: string): string {
  return content
    .replace(/<@!?\d+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Answer direct messages, mentions in servers (where `/settings mentions` allows), replies to the bot's answers and
 * messages in follow-up threads, as replies. Other bots are ignored.
 */
export function createMessageHandler(client: Client, deps: BotDeps, cooldown: Limit) {
  return async function onMessage(message: Message): Promise<void> {
    const me = client.user;
    if (!me || message.author.bot || message.author.id === me.id || message.system) return;
    const isDirect = message.guildId === null;
    // Only a direct mention counts: @everyone and role mentions are not questions to the bot.
    const mentioned = !isDirect && message.mentions.users.has(me.id) && !message.mentions.everyone;
    const place = placeOf(message);
    // A reply to one of the bot's answers, or a message in a thread opened with "Follow up", follows up an earlier
    // question. Only replies to the bot and threads are looked up, so other talk in a busy channel costs no reads.
    const toBot = message.mentions.repliedUser?.id === me.id;
    const inThread =
      !isDirect && place.isThread ? await threadTopic(deps, message.channelId).catch(() => null) : null;
    const replied = toBot
      ? await questionAnswered(deps, message.reference?.messageId).catch(() => null)
      : null;
    const earlier = replied ?? inThread;
    const question = questionFromMessage(message.content);
    // Without the message content intent a thread message that does not mention the bot arrives empty.
    if (!question && !mentioned && !isDirect) return;
    if (!isDirect && !mentioned && !earlier) return;
    const settings =
      mentioned && !earlier && message.guildId
        ? await createGuildSettings(deps.state.ns("settings")).get(message.guildId)
        : undefined;
    if (settings && !mentionsAnswered(settings, place)) return;
    const started = performance.now();
    const context = {
      guild: message.guildId ?? "dm",
      channel: message.channelId,
      user: message.author.id,
      command: earlier ? "follow-up" : isDirect ? "dm" : "mention",
    };
    try {
      const { allowed, retryAfter } = await cooldown.take(message.author.id);
      const body = allowed
        ? await answerForDiscord(
            deps,
            question,
            { guildId: message.guildId, place: isDirect ? null : place, ...(settings ? { settings } : {}) },
            earlier ? { context: earlier } : {},
          )
        : renderNotice(`You're asking quickly: try again in ${retryAfter} s.`);
      const sent = await message.reply({ ...body, allowedMentions: { parse: [], repliedUser: false } });
      if (allowed) {
        const topic = joinTopic(earlier, question);
        await rememberQuestion(deps, sent.id, topic);
        if (inThread) await rememberThread(deps, message.channelId, topic);
      }
      deps.log.info({ ...context, ms: Math.round(performance.now() - started) }, "message answered");
    } catch (error) {
      const id = errorId();
      deps.log.error({ ...context, errorId: id, err: error }, "message failed");
      await message
        .reply({ ...renderNotice(apology(id)), allowedMentions: { parse: [], repliedUser: false } })
        .catch(() => undefined);
    }
  };
}
