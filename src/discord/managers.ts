import { type ChatInputCommandInteraction, PermissionFlagsBits } from "discord.js";
import { renderNotice } from "./render.js";

/** Edit a deferred reply into a short notice (trimmed to Discord's limit, mentions off). */
export async function notice(interaction: ChatInputCommandInteraction, text: string): Promise<void> {
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
