import {
  ApplicationIntegrationType,
  InteractionContextType,
  SlashCommandBuilder,
  type SlashCommandStringOption,
} from "discord.js";

/** A command builder usable in servers, the bot's DMs and group DMs, for server and user installs. */
export function everywhere(): SlashCommandBuilder {
  return new SlashCommandBuilder()
    .setContexts(
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    )
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall);
}

/** `since:` of /ask and /search: only articles dated from this day. */
export const sinceOption = (o: SlashCommandStringOption) =>
  o
    .setName("since")
    .setDescription("Only articles dated from this day (2026-11-01, 1 November, last Monday)");

/** `until:` of /ask and /search: only articles dated up to this day. */
export const untilOption = (o: SlashCommandStringOption) =>
  o.setName("until").setDescription("Only articles dated up to this day");

/** `source:` of /ask and /search: one site, autocompleted from the corpus. */
export const sourceOption = (o: SlashCommandStringOption) =>
  o.setName("source").setDescription("Only articles from this site").setAutocomplete(true).setMaxLength(100);
