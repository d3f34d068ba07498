import { ApplicationIntegrationType, InteractionContextType, SlashCommandBuilder } from "discord.js";
import type { Command } from "../src/discord/command.js";
import { renderHelp } from "../src/discord/render.js";

/** /help: the commands and what the corpus holds. */
export default {
  data: new SlashCommandBuilder()
    .setName("help")
    .setDescription("What Verbatim does, its commands, and what the corpus holds")
    .setContexts(
      InteractionContextType.Guild,
      InteractionContextType.BotDM,
      InteractionContextType.PrivateChannel,
    )
    .setIntegrationTypes(ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall),
  ephemeral: () => true,
  async execute(interaction, deps) {
    await interaction.editReply(renderHelp(deps.corpus.store.stats()));
  },
} satisfies Command;
