import { randomBytes } from "node:crypto";
import type { ButtonInteraction } from "discord.js";
import type { BotDeps, Command } from "../src/discord/command.js";
import { everywhere, sinceOption, sourceOption, untilOption } from "../src/discord/contexts.js";
import { placeOf } from "../src/discord/place.js";
import { MAX_DISCORD_QUESTION, outOfScope } from "../src/discord/questions.js";
import { renderNotice, renderSearchPage } from "../src/discord/render.js";
import { siteChoices } from "../src/discord/site-choices.js";
import { VerbatimError } from "../src/errors.js";
import { search } from "../src/search/lexical.js";
import { type DayWindow, windowFromOptions } from "../src/search/time-window.js";
import { channelSource, createGuildSettings } from "../src/state/guild-settings.js";

/** Passages a search session pages through (each page runs the search again, so pages follow the index as it is). */
const MAX_RESULTS = 25;
/** How long Previous/Next keep working. */
const SESSION_TTL_MS = 30 * 60 * 1000;

/** What a search session pages through: the words, and the window and source chosen with them. */
interface SearchSession {
  query: string;
  user: string;
  window?: DayWindow | null;
  source?: string | null;
}

/** The limits of a search in words, for its pages. */
function scopeOf(session: Omit<SearchSession, "user">): string {
  return [
    session.window ? `dated ${session.window.label}` : "",
    session.source ? `from ${session.source}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

function run(deps: BotDeps, session: Omit<SearchSession, "user">) {
  try {
    return search(deps.corpus.store, session.query, {
      limit: MAX_RESULTS,
      synonyms: deps.corpus.synonyms,
      ...(session.window ? { window: { from: session.window.from, to: session.window.to } } : {}),
      ...(session.source ? { source: session.source } : {}),
    }).hits;
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
    )
    .addStringOption(sinceOption)
    .addStringOption(untilOption)
    .addStringOption(sourceOption),
  cooldown: true,
  ephemeral: (interaction, deps) => outOfScope(deps, interaction),
  async execute(interaction, deps) {
    const o = interaction.options;
    const query = o.getString("query", true);
    // Dates are read in the server's time zone, as /ask reads them; a source given wins over the channel's.
    const settings = await createGuildSettings(deps.state.ns("settings")).get(interaction.guildId);
    const chosen = windowFromOptions(
      o.getString("since"),
      o.getString("until"),
      deps.digests.clock(),
      settings.timeZone,
    );
    if ("problem" in chosen) {
      await interaction.editReply(renderNotice(chosen.problem));
      return;
    }
    const source = o.getString("source")?.trim() || channelSource(settings, placeOf(interaction));
    const session: SearchSession = { query, user: interaction.user.id, window: chosen.window, source };
    const hits = run(deps, session);
    if (hits instanceof VerbatimError) {
      await interaction.editReply(renderNotice(hits.message));
      return;
    }
    const sessionId = randomBytes(6).toString("hex");
    await deps.state.ns("sessions").set(`search:${sessionId}`, session, SESSION_TTL_MS);
    await interaction.editReply(renderSearchPage(query, hits, 0, sessionId, scopeOf(session)));
  },
  async button(interaction: ButtonInteraction, deps: BotDeps) {
    const [, sessionId, pageText] = interaction.customId.split(":");
    const session = await deps.state.ns("sessions").get<SearchSession>(`search:${sessionId}`);
    if (!session) {
      await interaction.reply({
        ...renderNotice("These results have expired; run /search again."),
        flags: 64,
      });
      return;
    }
    await interaction.deferUpdate();
    const hits = run(deps, session);
    if (hits instanceof VerbatimError) return;
    await interaction.editReply(
      renderSearchPage(session.query, hits, Number(pageText) || 0, sessionId ?? "", scopeOf(session)),
    );
  },
  async autocomplete(interaction, deps) {
    await interaction.respond(siteChoices(deps.corpus.store, interaction.options.getFocused()));
  },
} satisfies Command;
