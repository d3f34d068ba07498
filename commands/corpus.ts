import {
  type ChatInputCommandInteraction,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import type { BotDeps, Command } from "../src/discord/command.js";
import { escapeForDiscord } from "../src/discord/escape.js";
import { trimToLimit } from "../src/discord/limits.js";
import { notice, requireManager } from "../src/discord/managers.js";
import { relativeTime } from "../src/discord/markup.js";
import { isUserFacing } from "../src/errors.js";
import { displayDate } from "../src/render/citation.js";
import { FetchError } from "../src/web/fetch.js";
import { addUrl } from "../src/web/ingest.js";

async function addUrlCommand(interaction: ChatInputCommandInteraction, deps: BotDeps, feedOnly: boolean) {
  const url = interaction.options.getString("url", true).trim();
  const minutes = interaction.options.getInteger("interval") ?? deps.config.web.feedIntervalMinutes;
  try {
    const result = await addUrl(deps.web, url, { addedBy: interaction.user.id, intervalMinutes: minutes });
    if (result.kind === "feed") {
      await notice(
        interaction,
        `Following **${escapeForDiscord(result.feed.title ?? result.feed.url)}**: ${result.added} new article(s) indexed now; polled every ${result.feed.intervalMinutes} min.`,
      );
      return;
    }
    if (feedOnly) {
      await notice(
        interaction,
        "That URL is a web page, not a feed; I indexed it as an article. Use `/corpus add-url` for pages.",
      );
      return;
    }
    const a = result.article;
    const first = a.text.split("\n\n")[0] ?? "";
    await notice(
      interaction,
      `${result.outcome === "unchanged" ? "Already indexed" : "Indexed"}: **${escapeForDiscord(a.title)}**${a.site ? ` — ${escapeForDiscord(a.site)}` : ""}${a.publishedAt ? ` — ${displayDate(a.publishedAt)}` : ""}\n> ${escapeForDiscord(trimToLimit(first, 600))}`,
    );
  } catch (error) {
    // Only errors written for people are shown; anything else is logged and described in general terms.
    const shown = error instanceof FetchError || isUserFacing(error);
    if (!shown) deps.log.error({ err: error, url }, "adding a URL failed");
    await notice(
      interaction,
      `I could not add <${url.slice(0, 300)}>: ${shown ? escapeForDiscord(error.message) : "something went wrong on my side; the log has the details"}.`,
    );
  }
}

/** /corpus: add pages and feeds, list and remove feeds, figures about the corpus. Manage Server only. */
export default {
  data: new SlashCommandBuilder()
    .setName("corpus")
    .setDescription("Manage the articles Verbatim answers from")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName("add-url")
        .setDescription("Fetch a web page and index its article")
        .addStringOption((o) =>
          o.setName("url").setDescription("The article's URL").setRequired(true).setMaxLength(2000),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName("add-feed")
        .setDescription("Follow an RSS, Atom or JSON feed")
        .addStringOption((o) =>
          o.setName("url").setDescription("The feed's URL").setRequired(true).setMaxLength(2000),
        )
        .addIntegerOption((o) =>
          o
            .setName("interval")
            .setDescription("Minutes between polls (default 30)")
            .setMinValue(5)
            .setMaxValue(1440),
        ),
    )
    .addSubcommand((s) => s.setName("list").setDescription("Followed feeds: last poll, items, errors"))
    .addSubcommand((s) =>
      s
        .setName("remove")
        .setDescription("Stop following a feed")
        .addStringOption((o) => o.setName("url").setDescription("The feed's URL").setRequired(true)),
    )
    .addSubcommand((s) =>
      s.setName("stats").setDescription("Articles, passages, index size, newest article, last ingest"),
    ),
  ephemeral: () => true,
  async execute(interaction, deps) {
    if (!(await requireManager(interaction, "The corpus is"))) return;
    switch (interaction.options.getSubcommand()) {
      case "add-url":
        return addUrlCommand(interaction, deps, false);
      case "add-feed":
        return addUrlCommand(interaction, deps, true);
      case "list": {
        const feeds = deps.web.feeds.all();
        if (feeds.length === 0)
          return notice(interaction, "No feeds yet: `/corpus add-feed url:<feed>` follows one.");
        const lines = feeds.map((f) => {
          const last = relativeTime(f.lastPollAt);
          const state = f.error
            ? `⚠ ${escapeForDiscord(f.error)} (${f.failures}×, next try ${relativeTime(f.nextPollAt)})`
            : "ok";
          return `• ${escapeForDiscord(f.title ?? f.url)} <${f.url}> — every ${f.intervalMinutes} min — last poll ${last} — ${f.items} item(s) — ${state}`;
        });
        return notice(interaction, lines.join("\n"));
      }
      case "remove": {
        const url = interaction.options.getString("url", true).trim();
        return notice(
          interaction,
          deps.web.feeds.remove(url)
            ? `No longer following <${url}> (its articles stay in the corpus).`
            : `I don't follow <${url}>: \`/corpus list\` shows the feeds.`,
        );
      }
      case "stats": {
        const s = deps.corpus.store.stats();
        return notice(
          interaction,
          `**${s.articles}** articles, **${s.passages}** passages, index ${(deps.corpus.store.sizeBytes() / 1e6).toFixed(1)} MB. Newest: ${s.newest ? escapeForDiscord(s.newest.title) : "—"}. Last ingest: ${relativeTime(s.lastIngestAt)}. Feeds: ${deps.web.feeds.all().length}.`,
        );
      }
    }
  },
} satisfies Command;
