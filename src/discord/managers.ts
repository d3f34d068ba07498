import { type ChatInputCommandInteraction, PermissionFlagsBits } from "discord.js";
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

/** What the bot needs in a channel to post digests there. */
const DIGEST_PERMISSIONS = [
  ["ViewChannel", PermissionFlagsBits.ViewChannel],
  ["SendMessages", PermissionFlagsBits.SendMessages],
  ["EmbedLinks", PermissionFlagsBits.EmbedLinks],
  ["ReadMessageHistory", PermissionFlagsBits.ReadMessageHistory],
] as const;

/**
 * Whether the bot can post digests in a channel; a refusal (it cannot see the channel, or lacks a permission there,
 * named) is answered here, ending with "Nothing was saved."
 */
export async function requirePostable(
  interaction: ChatInputCommandInteraction,
  channelId: string,
): Promise<boolean> {
  const channel = interaction.guild?.channels.cache.get(channelId);
  const me = interaction.guild?.members.me;
  if (!channel || !me) {
    await notice(interaction, `I can't see ${channelMention(channelId)}. Nothing was saved.`);
    return false;
  }
  const perms = channel.permissionsFor(me);
  const missing = DIGEST_PERMISSIONS.filter(([, flag]) => !perms.has(flag)).map(([name]) => name);
  if (missing.length === 0) return true;
  await notice(
    interaction,
    `I can't post digests in ${channelMention(channelId)}: I need ${missing.join(", ")} there. Nothing was saved.`,
  );
  return false;
}
