import { randomBytes } from "node:crypto";
import type { ButtonInteraction } from "discord.js";
import type { BotDeps, Command } from "../src/discord/command.js";
import { everywhere } from "../src/discord/contexts.js";
import { MAX_DISCORD_QUESTION, outOfScope } from "../src/discord/questions.js";
import { renderNotice, renderSearchPage } from "../src/discord/render.js";
import { VerbatimError } from "../src/errors.js";
import { search } from "../src/search/lexical.js";

/** Passages a search session pages through (each page runs the search again, so pages follow the index as it is). */
const MAX_RESULTS = 25;
/** How long Previous/Next keep working. */
const SESSION_TTL_MS = 30 * 60 * 1000;

function run(deps: BotDeps, query: string) {
  try {
    return search(deps.corpus.store, query, { limit: MAX_RESULTS, synonyms: deps.corpus.synonyms }).hits;
  } catch (error) {
    if (error instanceof VerbatimError) return error;
    throw error;
  }
}

/** /search: the matching passages, five a page, with Previous/Next buttons. */
export default {
  data: everywhere()
    .setName("search")
    .setDescription("List the passages that match your words")
    .addStringOption((o) =>
      o
        .setName("query")
        .setDescription("Words to look for")
        .setRequired(true)
        .setMaxLength(MAX_DISCORD_QUESTION),
    ),
  cooldown: true,
  ephemeral: (interaction, deps) => outOfScope(deps, interaction),
  async execute(interaction, deps) {
    const query = interaction.options.getString("query", true);
    const hits = run(deps, query);
    if (hits instanceof VerbatimError) {
      await interaction.editReply(renderNotice(hits.message));
      return;
    }
    const sessionId = randomBytes(6).toString("hex");
    await deps.state
      .ns("sessions")
      .set(`search:${sessionId}`, { query, user: interaction.user.id }, SESSION_TTL_MS);
    await interaction.editReply(renderSearchPage(query, hits, 0, sessionId));
  },
  async button(interaction: ButtonInteraction, deps: BotDeps) {
    const [, sessionId, pageText] = interaction.customId.split(":");
    const session = await deps.state.ns("sessions").get<{ query: string }>(`search:${sessionId}`);
    if (!session) {
      await interaction.reply({
        ...renderNotice("These results have expired; run /search again."),
        flags: 64,
      });
      return;
    }
    await interaction.deferUpdate();
    const hits = run(deps, session.query);
    if (hits instanceof VerbatimError) return;
    await interaction.editReply(
      renderSearchPage(session.query, hits, Number(pageText) || 0, sessionId ?? ""),
    );
  },
} satisfies Command;
