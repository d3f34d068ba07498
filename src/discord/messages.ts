import type { Client, Message } from "discord.js";
import type { Limit } from "../state/limits.js";
import type { BotDeps } from "./command.js";
import { answerForDiscord, questionAnswered, rememberQuestion } from "./questions.js";
import { renderNotice } from "./render.js";
import { apology, errorId } from "./router.js";

/** The question in a message: its text without the mentions that addressed the bot. */
export function questionFromMessage(content: string): string {
  return content
    .replace(/<@!?\d+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Answer direct messages, and messages in servers that mention the bot, as replies. Other bots are ignored. */
export function createMessageHandler(client: Client, deps: BotDeps, cooldown: Limit) {
  return async function onMessage(message: Message): Promise<void> {
    const me = client.user;
    if (!me || message.author.bot || message.author.id === me.id || message.system) return;
    const isDirect = message.guildId === null;
    // Only a direct mention counts: @everyone and role mentions are not questions to the bot.
    const mentioned = !isDirect && message.mentions.users.has(me.id) && !message.mentions.everyone;
    // A reply to one of the bot's answers is a follow-up: addressed to the bot, about the same topic. Only replies
    // to the bot are looked up, so other conversations in a busy channel cost no state reads.
    const toBot = message.mentions.repliedUser?.id === me.id;
    const earlier = toBot
      ? await questionAnswered(deps, message.reference?.messageId).catch(() => null)
      : null;
    if (!isDirect && !mentioned && !earlier) return;
    const started = performance.now();
    const context = {
      guild: message.guildId ?? "dm",
      channel: message.channelId,
      user: message.author.id,
      command: earlier ? "follow-up" : isDirect ? "dm" : "mention",
    };
    try {
      const { allowed, retryAfter } = await cooldown.take(message.author.id);
      const question = questionFromMessage(message.content);
      const body = allowed
        ? await answerForDiscord(deps, question, message.guildId, earlier ? { context: earlier } : {})
        : renderNotice(`You're asking quickly: try again in ${retryAfter} s.`);
      const sent = await message.reply({ ...body, allowedMentions: { parse: [], repliedUser: false } });
      if (allowed) await rememberQuestion(deps, sent.id, earlier ? `${earlier} ${question}` : question);
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
