import type { Command } from "../src/discord/command.js";
import { everywhere, sinceOption, sourceOption, untilOption } from "../src/discord/contexts.js";
import { openFollowUp, rememberQuestion } from "../src/discord/follow-ups.js";
import { placeOf } from "../src/discord/place.js";
import { answerForDiscord, MAX_DISCORD_QUESTION, outOfScope } from "../src/discord/questions.js";
import { siteChoices } from "../src/discord/site-choices.js";

/** /ask: an answer made of verbatim quotes. */
export default {
  data: everywhere()
    .setName("ask")
    .setDescription("Ask a question; the answer quotes the articles word for word, with links")
    .addStringOption((o) =>
      o
        .setName("question")
        .setDescription("Your question")
        .setRequired(true)
        .setMaxLength(MAX_DISCORD_QUESTION),
    )
    .addBooleanOption((o) => o.setName("private").setDescription("Show the answer only to you"))
    .addStringOption(sinceOption)
    .addStringOption(untilOption)
    .addStringOption(sourceOption),
  cooldown: true,
  ephemeral: async (interaction, deps) =>
    (interaction.options.getBoolean("private") ?? false) || (await outOfScope(deps, interaction)),
  async execute(interaction, deps) {
    const question = interaction.options.getString("question", true);
    const o = interaction.options;
    const sent = await interaction.editReply(
      await answerForDiscord(
        deps,
        question,
        { guildId: interaction.guildId, place: placeOf(interaction) },
        {
          since: o.getString("since"),
          until: o.getString("until"),
          source: o.getString("source"),
        },
      ),
    );
    // A reply to this answer, or its "Follow up" button, follows it up.
    await rememberQuestion(deps, sent.id, question);
  },
  async button(interaction, deps) {
    await openFollowUp(interaction, deps);
  },
  async autocomplete(interaction, deps) {
    await interaction.respond(siteChoices(deps.corpus.store, interaction.options.getFocused()));
  },
} satisfies Command;
