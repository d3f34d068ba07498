import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from "discord.js";
import type { Command } from "../src/discord/command.js";
import { escapeForDiscord } from "../src/discord/escape.js";
import { notice, requireManager } from "../src/discord/managers.js";
import { channelMention } from "../src/discord/markup.js";
import { siteChoices } from "../src/discord/site-choices.js";
import { canonicalTimeZone, wallClock } from "../src/search/time-window.js";
import {
  createGuildSettings,
  type GuildSettings,
  MAX_CHANNEL_RULES,
  type MentionScope,
} from "../src/state/guild-settings.js";

const SCOPES: Record<MentionScope, string> = {
  all: "in every channel",
  listed: "only in the channels listed below",
  threads: "only in threads",
};

/** Every IANA zone this Node.js knows, read once (autocomplete filters it). */
const ZONES = Intl.supportedValuesOf("timeZone");

/** The time in a zone, as "2026-11-27 05:00". */
const localTime = (now: Date, zone: string) =>
  wallClock(now, zone).toISOString().slice(0, 16).replace("T", " ");

/** The settings as people read them. */
export function describeSettings(settings: GuildSettings, now: Date): string {
  const local = localTime(now, settings.timeZone);
  const rules = Object.entries(settings.channels).map(([id, rule]) => {
    const parts = [
      rule.listed ? "mentions answered" : null,
      rule.source ? `answers only from ${escapeForDiscord(rule.source)}` : null,
    ].filter(Boolean);
    return `• ${channelMention(id)}: ${parts.join("; ") || "no rule"}`;
  });
  return [
    `**Time zone:** ${settings.timeZone} (it is ${local} there); "yesterday" and "last week" are counted in it.`,
    `**Mentions** are answered ${SCOPES[settings.mentions]}. Slash commands work everywhere, privately where mentions are not answered.`,
    rules.length ? `**Channels**\n${rules.join("\n")}` : "**Channels:** no channel rules.",
  ].join("\n");
}

/** /settings: a server's time zone, where mentions are answered, and per-channel sources (server managers). */
export default {
  data: new SlashCommandBuilder()
    .setName("settings")
    .setDescription("How Verbatim behaves in this server (server managers)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) => s.setName("show").setDescription("Show this server's settings"))
    .addSubcommand((s) =>
      s
        .setName("timezone")
        .setDescription('The time zone in which questions\' dates are read ("yesterday", "last week")')
        .addStringOption((o) =>
          o
            .setName("zone")
            .setDescription("An IANA time zone, e.g. Europe/Paris or America/New_York")
            .setRequired(true)
            .setAutocomplete(true)
            .setMaxLength(64),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName("mentions")
        .setDescription("Where mentions of the bot are answered")
        .addStringOption((o) =>
          o
            .setName("where")
            .setDescription("Where mentions are answered")
            .setRequired(true)
            .addChoices(
              { name: "every channel", value: "all" },
              { name: "listed channels (/settings channel)", value: "listed" },
              { name: "threads only", value: "threads" },
            ),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName("channel")
        .setDescription(
          "One channel: whether mentions are answered there, and which source its answers quote",
        )
        .addChannelOption((o) =>
          o
            .setName("channel")
            .setDescription("The channel")
            .setRequired(true)
            .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum),
        )
        .addBooleanOption((o) =>
          o.setName("answer-mentions").setDescription("Listed: mentions are answered here (with `listed`)"),
        )
        .addStringOption((o) =>
          o
            .setName("source")
            .setDescription("Answers here quote only this site; `any` for every source")
            .setAutocomplete(true)
            .setMaxLength(100),
        ),
    ),
  ephemeral: () => true,
  async execute(interaction, deps) {
    if (!(await requireManager(interaction, "Settings are"))) return;
    const store = createGuildSettings(deps.state.ns("settings"));
    const guildId = interaction.guildId ?? "";
    const sub = interaction.options.getSubcommand();
    const now = deps.digests.clock();
    if (sub === "show") return notice(interaction, describeSettings(await store.get(guildId), now));
    if (sub === "timezone") {
      const typed = interaction.options.getString("zone", true);
      const zone = canonicalTimeZone(typed);
      if (!zone)
        return notice(
          interaction,
          `"${escapeForDiscord(typed.slice(0, 64))}" is not a time zone I know: use an IANA name such as Europe/Paris, America/New_York or UTC. Nothing was changed.`,
        );
      await store.update(guildId, (s) => ({ ...s, timeZone: zone }));
      const local = localTime(now, zone);
      return notice(interaction, `Time zone set to ${zone} (it is ${local} there).`);
    }
    if (sub === "mentions") {
      const where = interaction.options.getString("where", true) as MentionScope;
      if (!(where in SCOPES)) return notice(interaction, "Choose one of the offered places.");
      const next = await store.update(guildId, (s) => ({ ...s, mentions: where }));
      const listed = Object.values(next.channels).filter((c) => c.listed).length;
      return notice(
        interaction,
        `Mentions are now answered ${SCOPES[where]}.${where === "listed" && listed === 0 ? " No channel is listed yet: add one with `/settings channel answer-mentions:true`." : ""}`,
      );
    }
    const channel = interaction.options.getChannel("channel", true);
    const answer = interaction.options.getBoolean("answer-mentions");
    const sourceText = interaction.options.getString("source")?.trim() ?? null;
    if (answer === null && sourceText === null)
      return notice(interaction, "Give `answer-mentions`, `source`, or both. Nothing was changed.");
    const current = await store.get(guildId);
    if (!current.channels[channel.id] && Object.keys(current.channels).length >= MAX_CHANNEL_RULES)
      return notice(
        interaction,
        `This server already has rules for ${MAX_CHANNEL_RULES} channels. Nothing was changed.`,
      );
    const updated = await store.update(guildId, (s) => {
      const rule = { ...(s.channels[channel.id] ?? {}) };
      if (answer !== null) rule.listed = answer;
      if (sourceText !== null) rule.source = /^(any|all|none|)$/i.test(sourceText) ? null : sourceText;
      const channels = { ...s.channels, [channel.id]: rule };
      if (!rule.listed && !rule.source) delete channels[channel.id];
      return { ...s, channels };
    });
    const rule = updated.channels[channel.id];
    await notice(
      interaction,
      `${channelMention(channel.id)}: ${[
        rule?.listed ? "mentions are answered here when mentions are limited to listed channels" : null,
        rule?.source ? `answers quote only ${escapeForDiscord(rule.source)}` : "answers quote every source",
      ]
        .filter(Boolean)
        .join("; ")}.`,
    );
  },
  async autocomplete(interaction, deps) {
    const focused = interaction.options.getFocused(true);
    const typed = focused.value.toLowerCase();
    if (focused.name === "zone") {
      const zones = ["UTC", ...ZONES].filter((z) => z.toLowerCase().includes(typed)).slice(0, 25);
      await interaction.respond(zones.map((z) => ({ name: z, value: z })));
      return;
    }
    await interaction.respond([
      { name: "any source", value: "any" },
      ...siteChoices(deps.corpus.store, typed, 24),
    ]);
  },
} satisfies Command;
