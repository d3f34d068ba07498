import type { APIEmbed } from "discord.js";
import type { Digest } from "../digest/build.js";
import { describeSchedule, nextRun } from "../digest/schedule.js";
import type { Subscription } from "../digest/subscriptions.js";
import { displayDate, quoteWithEllipses } from "../render/citation.js";
import { escapeForDiscord, escapeLinkLabel, safeLinkTarget } from "./escape.js";
import { embedLength, LIMITS, trimToLimit } from "./limits.js";
import { channelMention, relativeTime } from "./markup.js";
import type { MessagePayload } from "./render.js";

const DIGEST_COLOR = 0x2f855a;
/** Room kept in each description for safety against counting differences. */
const DESCRIPTION_BUDGET = LIMITS.embedDescription - 96;
const MESSAGE_BUDGET = LIMITS.embedTotal - 200;

/** The marker a digest's messages carry in their footer, so a restart can tell which parts Discord already has. */
export function digestMarker(nonce: string, part: number, parts: number): string {
  return `digest ${nonce} · part ${part}/${parts}`;
}

function itemBlock(item: Digest["items"][number]): string {
  const a = item.article;
  const label = escapeLinkLabel(trimToLimit(a.title, 200));
  const target = safeLinkTarget(item.summary[0]?.link) ?? safeLinkTarget(a.url);
  const head = target ? `**[${label}](${target})**` : `**${label}**`;
  const meta = [a.site, displayDate(a.publishedAt)]
    .filter(Boolean)
    .map((x) => escapeForDiscord(String(x)))
    .join(" — ");
  const summary = item.summary.map((q) => escapeForDiscord(quoteWithEllipses(q))).join(" ");
  return trimToLimit(`${head}${meta ? ` — ${meta}` : ""}${summary ? `\n> ${summary}` : ""}`, 1400);
}

/** The name of the thread or forum post a digest opens: "News digest · 27 November 2026", with its topic. */
export function digestPostName(digest: Digest, at: Date): string {
  const day = at.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
  return trimToLimit(`News digest · ${day}${digest.topic ? ` · ${digest.topic}` : ""}`, 100);
}

/**
 * A digest as Discord messages: article blocks packed into embeds within every limit, embeds into messages,
 * each message's footer carrying the delivery marker. An empty digest renders a short "nothing new" note.
 */
export function renderDigest(
  digest: Digest,
  options: { nonce: string; title?: string; roleId?: string | null },
): MessagePayload[] {
  const title = trimToLimit(
    options.title ??
      `News digest${digest.topic ? `: ${digest.topic}` : ""} — ${digest.items.length + digest.more} new article${digest.items.length + digest.more === 1 ? "" : "s"}`,
    LIMITS.embedTitle,
  );
  const blocks = digest.items.map(itemBlock);
  if (digest.more > 0) blocks.push(`*…and ${digest.more} more.*`);
  if (blocks.length === 0)
    blocks.push(
      `Nothing new${digest.topic ? ` about "${escapeForDiscord(digest.topic)}"` : ""} since the last digest.`,
    );

  const descriptions: string[] = [];
  let current = "";
  for (const block of blocks) {
    const next = current ? `${current}\n\n${block}` : block;
    if (next.length > DESCRIPTION_BUDGET && current) {
      descriptions.push(current);
      current = block;
    } else current = next;
  }
  if (current) descriptions.push(current);

  const embeds: APIEmbed[] = descriptions.map((description, i) => ({
    ...(i === 0 ? { title: escapeForDiscord(title) } : {}),
    color: DIGEST_COLOR,
    description: trimToLimit(description, LIMITS.embedDescription),
  }));
  const messages: APIEmbed[][] = [];
  let group: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const length = embedLength(embed as Parameters<typeof embedLength>[0]) + 80;
    if (group.length > 0 && (size + length > MESSAGE_BUDGET || group.length >= LIMITS.embedsPerMessage)) {
      messages.push(group);
      group = [];
      size = 0;
    }
    group.push(embed);
    size += length;
  }
  if (group.length > 0) messages.push(group);
  return messages.map((list, i) => {
    const last = list[list.length - 1];
    if (last) last.footer = { text: digestMarker(options.nonce, i + 1, messages.length) };
    // The subscriber's chosen role is pinged once, in the first message, and is the only mention allowed.
    const ping = i === 0 && options.roleId && /^\d{17,20}$/.test(options.roleId) && digest.items.length > 0;
    return ping
      ? {
          content: `<@&${options.roleId}>`,
          embeds: list,
          components: [],
          allowedMentions: { parse: [], roles: [options.roleId as string] },
        }
      : { embeds: list, components: [], allowedMentions: { parse: [] } };
  });
}

/** The digests of a server, one line each: id, channel, schedule, topic, next run and how the last run went. */
export function renderSubscriptionList(subs: Subscription[]): string {
  return subs
    .map((s) => {
      const next = s.paused ? null : nextRun(s.schedule, new Date(s.lastRunAt));
      const state = s.paused
        ? `⏸ paused: ${s.pausedReason}`
        : s.failures > 0
          ? `⚠ failing (${s.failures}×): ${s.lastResult?.detail}`
          : s.lastResult
            ? `last: ${s.lastResult.detail}`
            : "not run yet";
      return `\`${s.id}\` ${channelMention(s.channelId)} — ${describeSchedule(s.schedule)}${s.post === "thread" ? " (a thread each)" : s.post === "forum" ? " (a post each)" : ""}${s.topic ? ` — "${escapeForDiscord(s.topic)}"` : ""} — next ${relativeTime(next, "—")} — ${state}`;
    })
    .join("\n");
}
