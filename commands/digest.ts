import {
  ChannelType,
  type ChatInputCommandInteraction,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
} from "discord.js";
import { digestOfWindow } from "../src/digest/build.js";
import { subscriptionWindow } from "../src/digest/delivery.js";
import { describeSchedule, nextRun, readScheduleRequest } from "../src/digest/schedule.js";
import { type DigestPost, newSubscription } from "../src/digest/subscriptions.js";
import type { BotDeps, Command } from "../src/discord/command.js";
import { escapeForDiscord } from "../src/discord/escape.js";
import { notice, requireManager, requirePostable } from "../src/discord/managers.js";
import { channelMention, fullTime } from "../src/discord/markup.js";
import { renderNotice } from "../src/discord/render.js";
import { renderDigest, renderSubscriptionList } from "../src/discord/render-digest.js";

/** Channels a digest can go to: text and announcement channels, threads, forums. */
const DIGEST_CHANNELS = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.AnnouncementThread,
  ChannelType.GuildForum,
] as const;

/** How digests reach a channel of this type (a forum gets a post each; a new thread each only where asked). */
function postFor(type: ChannelType, thread: boolean | null): DigestPost | { problem: string } {
  if (type === ChannelType.GuildForum) return "forum";
  const inThread = type === ChannelType.PublicThread || type === ChannelType.AnnouncementThread;
  if (thread && inThread)
    return { problem: "That is already a thread: digests go into it as they are. Nothing was saved." };
  return thread ? "thread" : "channel";
}

const POSTED: Record<DigestPost, string> = {
  channel: "",
  thread: ", each in a new thread",
  forum: ", each as a new post",
};

async function subscribe(interaction: ChatInputCommandInteraction, deps: BotDeps) {
  const o = interaction.options;
  const channel = o.getChannel("channel", true);
  const request = readScheduleRequest({
    time: o.getString("time"),
    cron: o.getString("cron"),
    timezone: o.getString("timezone"),
    days: o.getString("days"),
    topic: o.getString("topic"),
  });
  if ("problem" in request) return notice(interaction, request.problem);
  const post = postFor(channel.type, o.getBoolean("thread"));
  if (typeof post === "object") return notice(interaction, post.problem);
  if (!(await requirePostable(interaction, channel.id, post))) return;
  const { schedule, topic } = request;
  const words = (name: string) =>
    (o.getString(name) ?? "")
      .split(",")
      .map((w) => w.trim())
      .filter(Boolean)
      .slice(0, 20);
  const role = o.getRole("role");
  if (role && (role.id === interaction.guildId || role.name === "@everyone"))
    return notice(interaction, "Digests never ping @everyone: choose a role. Nothing was saved.");
  const now = deps.digests.clock();
  const sub = newSubscription(
    {
      guildId: interaction.guildId ?? "",
      channelId: channel.id,
      schedule,
      topic,
      include: words("include"),
      exclude: words("exclude"),
      roleId: role?.id ?? null,
      ...(post === "channel" ? {} : { post }),
      max: o.getInteger("max") ?? 10,
      postEmpty: o.getBoolean("post_empty") ?? false,
      createdBy: interaction.user.id,
    },
    now,
    deps.corpus.store.committedSeq(),
  );
  await deps.digests.subscriptions.save(sub);
  const next = nextRun(schedule, now);
  await notice(
    interaction,
    `Subscribed ${channelMention(channel.id)} (id \`${sub.id}\`): ${describeSchedule(schedule)}${sub.topic ? `, about "${escapeForDiscord(sub.topic)}"` : ""}${sub.include?.length ? `, with one of: ${escapeForDiscord(sub.include.join(", "))}` : ""}${sub.exclude?.length ? `, without: ${escapeForDiscord(sub.exclude.join(", "))}` : ""}${POSTED[post]}, up to ${sub.max} articles${sub.roleId ? `, pinging <@&${sub.roleId}>` : ""}. First digest ${fullTime(next)}.`,
  );
}

async function list(interaction: ChatInputCommandInteraction, deps: BotDeps) {
  const subs = await deps.digests.subscriptions.inGuild(interaction.guildId ?? "");
  if (subs.length === 0)
    return notice(interaction, "No digests in this server yet. Start one with `/digest subscribe`.");
  await notice(interaction, renderSubscriptionList(subs));
}

async function preview(interaction: ChatInputCommandInteraction, deps: BotDeps) {
  const topic = interaction.options.getString("topic")?.trim() || null;
  const subs = (await deps.digests.subscriptions.inGuild(interaction.guildId ?? "")).filter(
    (s) => s.channelId === interaction.channelId,
  );
  const now = deps.digests.clock();
  const sub = subs[0];
  const window = sub
    ? subscriptionWindow(deps.corpus.store, sub)
    : { after: new Date(now.getTime() - 24 * 3600_000).toISOString(), until: now.toISOString() };
  const digest = digestOfWindow(deps.corpus.store, window, {
    include: sub?.include,
    exclude: sub?.exclude,
    topic: topic ?? sub?.topic ?? null,
    max: sub?.max ?? 10,
    synonyms: deps.corpus.synonyms,
  });
  const [first] = renderDigest(digest, {
    nonce: "preview",
    title: `Preview: ${digest.items.length + digest.more} article(s) would be posted now`,
  });
  await interaction.editReply(first ?? renderNotice("Nothing to preview."));
}

async function now(interaction: ChatInputCommandInteraction, deps: BotDeps) {
  const channelId = interaction.options.getChannel("channel")?.id ?? interaction.channelId;
  const subs = (await deps.digests.subscriptions.inGuild(interaction.guildId ?? "")).filter(
    (s) => s.channelId === channelId,
  );
  if (subs.length === 0)
    return notice(
      interaction,
      `${channelMention(channelId)} has no digest. Start one with \`/digest subscribe\`.`,
    );
  const results = await Promise.all(subs.map((s) => deps.digests.scheduler.run(s)));
  const posted = results.reduce((n, r) => n + (r?.posted ?? 0), 0);
  const failed = results.filter((r) => r === null).length;
  await notice(
    interaction,
    failed > 0
      ? `The digest could not be posted; see \`/digest list\` for the reason.`
      : posted > 0
        ? `Posted ${posted} article(s) to ${channelMention(channelId)}.`
        : `Nothing new for ${channelMention(channelId)} since the last digest.`,
  );
}

async function unsubscribe(interaction: ChatInputCommandInteraction, deps: BotDeps) {
  const id = interaction.options.getString("id", true).trim();
  const sub = await deps.digests.subscriptions.get(id);
  if (!sub || sub.guildId !== interaction.guildId)
    return notice(
      interaction,
      `No digest \`${escapeForDiscord(id)}\` in this server: \`/digest list\` shows the ids.`,
    );
  await deps.digests.subscriptions.remove(id);
  await notice(interaction, `Removed the digest \`${id}\` of ${channelMention(sub.channelId)}.`);
}

/** /digest: scheduled digests of new articles, for server managers. */
export default {
  data: new SlashCommandBuilder()
    .setName("digest")
    .setDescription("Scheduled digests of new articles in a channel")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((s) =>
      s
        .setName("subscribe")
        .setDescription("Post a digest of new articles to a channel on a schedule")
        .addChannelOption((c) =>
          c
            .setName("channel")
            .setDescription(
              "Where to post: a channel, a thread (every digest in it) or a forum (a post each)",
            )
            .setRequired(true)
            .addChannelTypes(...DIGEST_CHANNELS),
        )
        .addStringOption((c) => c.setName("time").setDescription("Time of day, 24-hour HH:MM (e.g. 08:00)"))
        .addStringOption((c) =>
          c.setName("timezone").setDescription("IANA time zone, e.g. Europe/Berlin (default UTC)"),
        )
        .addStringOption((c) =>
          c.setName("days").setDescription("Days, e.g. mon,wed,fri or weekdays (default every day)"),
        )
        .addStringOption((c) =>
          c.setName("topic").setDescription("Only articles about these words").setMaxLength(200),
        )
        .addIntegerOption((c) =>
          c.setName("max").setDescription("Articles per digest (default 10)").setMinValue(1).setMaxValue(25),
        )
        .addBooleanOption((c) =>
          c.setName("post_empty").setDescription('Post a short "nothing new" when there is nothing'),
        )
        .addStringOption((c) =>
          c.setName("cron").setDescription("A cron pattern instead of time and days, e.g. 0 8 * * 1-5"),
        )
        .addStringOption((c) =>
          c.setName("include").setDescription("Only articles with one of these words, comma-separated"),
        )
        .addStringOption((c) =>
          c.setName("exclude").setDescription("No articles with any of these words, comma-separated"),
        )
        .addRoleOption((c) =>
          c.setName("role").setDescription("A role to ping with each digest (never @everyone)"),
        )
        .addBooleanOption((c) =>
          c.setName("thread").setDescription("Open a new thread for each digest on its first message"),
        ),
    )
    .addSubcommand((s) =>
      s.setName("list").setDescription("This server's digests, their next run and last result"),
    )
    .addSubcommand((s) =>
      s
        .setName("preview")
        .setDescription("What this channel's digest would post now (only you see it)")
        .addStringOption((c) => c.setName("topic").setDescription("Preview another topic")),
    )
    .addSubcommand((s) =>
      s
        .setName("now")
        .setDescription("Post a channel's digest now")
        .addChannelOption((c) =>
          c
            .setName("channel")
            .setDescription("Default: this channel")
            .addChannelTypes(...DIGEST_CHANNELS),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName("unsubscribe")
        .setDescription("Remove a digest")
        .addStringOption((c) =>
          c.setName("id").setDescription("The id /digest list shows").setRequired(true),
        ),
    ),
  ephemeral: () => true,
  async execute(interaction, deps) {
    if (!(await requireManager(interaction, "Digests are"))) return;
    switch (interaction.options.getSubcommand()) {
      case "subscribe":
        return subscribe(interaction, deps);
      case "list":
        return list(interaction, deps);
      case "preview":
        return preview(interaction, deps);
      case "now":
        return now(interaction, deps);
      case "unsubscribe":
        return unsubscribe(interaction, deps);
    }
  },
} satisfies Command;
