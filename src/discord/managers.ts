import { type ChatInputCommandInteraction, PermissionFlagsBits } from "discord.js";
import type { DigestPost } from "../digest/subscriptions.js";
import { channelMention } from "./markup.js";
import { renderNotice } from "./render.js";

/** Edit a deferred reply into a short notice (trimmed to Discord's limit, mentions off). */
export async function notice(
  interaction: Pick<ChatInputCommandInteraction, "editReply">,
  text: string,
): Promise<void> {
  await interaction.editReply(renderNotice(text));
}

/**
 * Whether the member may use a server-management command. The command's default permission hides it from others,
 * but a server can override that, so handlers check again; a refusal is answered here.
 */
export async function requireManager(
  interaction: ChatInputCommandInteraction,
  what: string,
): Promise<boolean> {
  if (interaction.inGuild() && interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
    return true;
  await notice(interaction, `${what} managed by members with the Manage Server permission.`);
  return false;
}

type Permission = readonly [string, bigint];

/** What the bot needs in a channel to post digests there the way they are posted. */
function digestPermissions(post: DigestPost, inThread: boolean): Permission[] {
  const base: Permission[] = [
    ["ViewChannel", PermissionFlagsBits.ViewChannel],
    ["EmbedLinks", PermissionFlagsBits.EmbedLinks],
    ["ReadMessageHistory", PermissionFlagsBits.ReadMessageHistory],
  ];
  if (inThread) return [...base, ["SendMessagesInThreads", PermissionFlagsBits.SendMessagesInThreads]];
  // A forum post is created with Send Messages; its later parts are sent in the post, a thread.
  if (post === "forum")
    return [
      ...base,
      ["SendMessages", PermissionFlagsBits.SendMessages],
      ["SendMessagesInThreads", PermissionFlagsBits.SendMessagesInThreads],
    ];
  if (post === "thread")
    return [
      ...base,
      ["SendMessages", PermissionFlagsBits.SendMessages],
      ["CreatePublicThreads", PermissionFlagsBits.CreatePublicThreads],
      ["SendMessagesInThreads", PermissionFlagsBits.SendMessagesInThreads],
    ];
  return [...base, ["SendMessages", PermissionFlagsBits.SendMessages]];
}

/**
 * Whether the bot can post digests in a channel; a refusal (it cannot see the channel, or lacks a permission there,
 * named) is answered here, ending with "Nothing was saved."
 */
export async function requirePostable(
  interaction: ChatInputCommandInteraction,
  channelId: string,
  post: DigestPost = "channel",
): Promise<boolean> {
  const channel = interaction.guild?.channels.cache.get(channelId);
  const me = interaction.guild?.members.me;
  if (!channel || !me) {
    await notice(interaction, `I can't see ${channelMention(channelId)}. Nothing was saved.`);
    return false;
  }
  const perms = channel.permissionsFor(me);
  const missing = digestPermissions(post, channel.isThread())
    .filter(([, flag]) => !perms.has(flag))
    .map(([name]) => name);
  if (missing.length === 0) return true;
  await notice(
    interaction,
    `I can't post digests in ${channelMention(channelId)}: I need ${missing.join(", ")} there. Nothing was saved.`,
  );
  return false;
}
