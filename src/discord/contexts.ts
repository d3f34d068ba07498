import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from "discord.js";

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
