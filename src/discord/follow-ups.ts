import { type ButtonInteraction, ChannelType, channelMention, MessageFlags } from "discord.js";
import type { BotDeps } from "./command.js";
import { trimToLimit } from "./limits.js";
import { renderNotice } from "./render.js";
import { threadOnMessage } from "./threads.js";

/** Longest earlier question kept as a follow-up's topic (a long thread keeps its latest words). */
const MAX_TOPIC = 500;

const askedKey = (messageId: string) => `asked:${messageId}`;
const threadKey = (threadId: string) => `thread:${threadId}`;

/** The topic a conversation carries: the earlier questions, newest words kept when it grows long. */
export function joinTopic(earlier: string | null, question: string): string {
  const all = earlier ? `${earlier} ${question}` : question;
  return all.length > MAX_TOPIC ? all.slice(all.length - MAX_TOPIC).replace(/^\S*\s/, "") : all;
}

/** Remember the question an answer message answered (with the topic it carried), for replies to follow up. */
export async function rememberQuestion(deps: BotDeps, messageId: string, question: string): Promise<void> {
  await deps.state
    .ns("sessions")
    .set(askedKey(messageId), question.slice(0, MAX_TOPIC), deps.config.followUpMinutes * 60_000);
}

/** The question an answer message answered, when a reply to it may still follow it up. */
export async function questionAnswered(deps: BotDeps, messageId: string | undefined): Promise<string | null> {
  if (!messageId) return null;
  return (await deps.state.ns("sessions").get<string>(askedKey(messageId))) ?? null;
}

/** Remember that a thread follows up a topic; each answer in it renews the topic and its expiry. */
export async function rememberThread(deps: BotDeps, threadId: string, topic: string): Promise<void> {
  await deps.state
    .ns("sessions")
    .set(threadKey(threadId), topic.slice(0, MAX_TOPIC), deps.config.followUpMinutes * 60_000);
}

/** The topic of a follow-up thread, while its context has not expired. */
export async function threadTopic(deps: BotDeps, threadId: string): Promise<string | null> {
  return (await deps.state.ns("sessions").get<string>(threadKey(threadId))) ?? null;
}

/**
 * "Follow up" under an answer: in a server channel, a thread on the answer where every message follows up its
 * question (no mention needed with message content, see README); in a DM, an answer inside a thread or a channel
 * without threads, the user is asked to reply to the answer instead.
 */
export async function openFollowUp(interaction: ButtonInteraction, deps: BotDeps): Promise<void> {
  const question = await questionAnswered(deps, interaction.message.id);
  if (!question) {
    await interaction.reply({
      ...renderNotice(
        `That answer is more than ${deps.config.followUpMinutes} minutes old, so I no longer follow it up: ask again with \`/ask\`.`,
      ),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const channel = interaction.channel;
  const threads =
    interaction.inGuild() &&
    !interaction.message.flags.has(MessageFlags.Ephemeral) &&
    (channel?.type === ChannelType.GuildText || channel?.type === ChannelType.GuildAnnouncement);
  if (!threads) {
    const inThread = channel?.isThread() ?? false;
    if (inThread && channel) await rememberThread(deps, channel.id, question);
    await interaction.reply({
      ...renderNotice(
        inThread
          ? "Ask your follow-up here in this thread: I answer it with this topic in mind."
          : "Reply to my answer with your follow-up: I answer it with this topic in mind.",
      ),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const thread = await threadOnMessage(interaction.message, trimToLimit(question.replace(/\s+/g, " "), 100));
  await rememberThread(deps, thread.id, question);
  const how = deps.config.discord.messageContent
    ? "Ask here: every message in this thread is answered with the earlier question in mind."
    : "Mention me here with your question: it is answered with the earlier question in mind.";
  await thread.send({
    ...renderNotice(`${how} (for ${deps.config.followUpMinutes} minutes after the last answer)`),
    allowedMentions: { parse: [] },
  });
  await interaction.reply({
    ...renderNotice(`Follow up in ${channelMention(thread.id)}.`),
    flags: MessageFlags.Ephemeral,
  });
}
