import type { Command } from "../src/discord/command.js";
import { everywhere } from "../src/discord/contexts.js";
import { renderHelp } from "../src/discord/render.js";

/** /help: the commands and what the corpus holds. */
export default {
  data: everywhere()
    .setName("help")
    .setDescription("What Verbatim does, its commands, and what the corpus holds"),
  ephemeral: () => true,
  async execute(interaction, deps) {
    await interaction.editReply(renderHelp(deps.corpus.store.stats()));
  },
} satisfies Command;
