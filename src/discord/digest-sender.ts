import {
  ChannelType,
  type Client,
  channelMention,
  DiscordAPIError,
  type ForumChannel,
  type Message,
  Routes,
  type SendableChannels,
  SnowflakeUtil,
  type ThreadChannel,
} from "discord.js";
import type { Digest } from "../digest/build.js";
import type { DigestSender } from "../digest/delivery.js";
import type { Subscription } from "../digest/subscriptions.js";
import type { MessagePayload } from "./render.js";
import { digestPostName, renderDigest } from "./render-digest.js";
import { threadOnMessage } from "./threads.js";

/** A digest message as sent: its body and the nonce Discord de-duplicates it by. */
type Payload = MessagePayload & { nonce: string; enforceNonce: boolean };

const REASONS: Record<number, string> = {
  10003: "the channel no longer exists",
  50001: "I can no longer see the channel (Missing Access)",
  50013: "I lack a permission in the channel (Send Messages or Embed Links)",
  50007: "the user does not accept direct messages",
};

/** Pages of 100 messages read at most when checking whether a digest reached its channel before a crash. */
const MAX_RECONCILE_PAGES = 500;

/**
 * A subscription's channel. Its server is fetched first when the client does not know it (`npm run worker` has no
 * gateway, so no server cache): discord.js builds no server channel, nor the thread a digest opens, without it.
 */
async function channelOf(client: Client, sub: Subscription) {
  if (!client.guilds.cache.has(sub.guildId)) await client.guilds.fetch(sub.guildId);
  return client.channels.fetch(sub.channelId);
}

async function sendable(client: Client, sub: Subscription): Promise<SendableChannels> {
  const channel = await channelOf(client, sub);
  if (!channel?.isSendable()) throw new Error("the channel cannot receive messages");
  return channel;
}

async function forumChannel(client: Client, sub: Subscription): Promise<ForumChannel> {
  const channel = await channelOf(client, sub);
  if (channel?.type !== ChannelType.GuildForum) throw new Error("the channel is no longer a forum");
  return channel;
}

/** The bot's newest active forum posts read when looking for one a crashed delivery opened. */
const MAX_FORUM_POSTS_CHECKED = 25;

/** The part numbers of the digest with this nonce among a message's embeds. */
function partsIn(message: Message, nonce: string): number[] {
  const parts: number[] = [];
  for (const embed of message.embeds) {
    const m = /digest ([0-9a-f]+) · part (\d+)\/(\d+)/.exec(embed.footer?.text ?? "");
    if (m && m[1] === nonce) parts.push(Number(m[2]));
  }
  return parts;
}

/** Digests through discord.js: messages carry a nonce (enforced) and a footer marker, so redelivery is detectable. */
export function createDiscordDigestSender(client: Client): DigestSender {
  // Without a gateway connection (`npm run worker`) the client has no user: ask Discord who the bot is, once.
  let me: Promise<string> | null = null;
  const botId = async (): Promise<string> => {
    if (client.user) return client.user.id;
    if (!me) me = (client.rest.get(Routes.user()) as Promise<{ id: string }>).then((u) => u.id);
    return me;
  };

  /**
   * The bot's messages of the digest with this nonce in a channel, by part number, among every message after
   * `after` (page by page, so a busy channel cannot hide a part already posted).
   */
  async function scan(
    channel: SendableChannels | ThreadChannel,
    nonce: string,
    after: string,
  ): Promise<Map<number, Message>> {
    const found = new Map<number, Message>();
    if (!("messages" in channel)) return found;
    const self = await botId();
    let cursor = after;
    for (let page = 0; page < MAX_RECONCILE_PAGES; page++) {
      const batch = await channel.messages.fetch({ after: cursor, limit: 100, cache: false });
      for (const message of batch.values() as Iterable<Message>) {
        if (BigInt(message.id) > BigInt(cursor)) cursor = message.id;
        if (message.author.id !== self) continue;
        for (const part of partsIn(message, nonce)) found.set(part, message);
      }
      if (batch.size < 100) return found;
    }
    throw new Error(
      `more than ${MAX_RECONCILE_PAGES * 100} messages were posted since the digest was sent; it was not checked`,
    );
  }

  // What `delivered` found of a thread or forum digest (its first message, or its post), by nonce: the `deliver`
  // that follows in the same run opens the thread from it instead of reading the channel again.
  const found = new Map<string, Message | ThreadChannel>();

  const startAfter = (from: { anchor?: string; since: string }) =>
    from.anchor ?? SnowflakeUtil.generate({ timestamp: Date.parse(from.since) - 60_000 }).toString();

  /**
   * The forum post a digest opened: among the bot's active posts in the forum newer than the anchor (the forum's
   * newest post when the delivery began), newest first, the one whose first message carries the nonce.
   */
  async function forumPost(
    forum: ForumChannel,
    nonce: string,
    from: { anchor?: string },
  ): Promise<ThreadChannel | null> {
    const self = await botId();
    const after = BigInt(from.anchor ?? "0");
    const { threads } = await forum.threads.fetchActive(false);
    const candidates = [...threads.values()]
      .filter((t) => t.ownerId === self && BigInt(t.id) > after)
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .slice(0, MAX_FORUM_POSTS_CHECKED);
    for (const thread of candidates) {
      const starter = await thread.fetchStarterMessage().catch(() => null);
      if (starter && partsIn(starter, nonce).includes(1)) return thread;
    }
    return null;
  }

  /** Where a thread or forum digest's later parts go (opening it with part 1 when that was not posted yet). */
  async function openThread(
    sub: Subscription,
    digest: Digest,
    first: Payload,
    nonce: string,
    skip: ReadonlySet<number>,
    from: { anchor?: string; since: string },
  ): Promise<ThreadChannel> {
    const name = digestPostName(digest, new Date(from.since));
    const known = skip.has(1) ? found.get(nonce) : undefined;
    if (sub.post === "forum") {
      if (known && "isThread" in known && known.isThread()) return known;
      const forum = await forumChannel(client, sub);
      const existing = skip.has(1) ? await forumPost(forum, nonce, from) : null;
      if (existing) return existing;
      const { nonce: _nonce, enforceNonce: _enforce, ...message } = first;
      return forum.threads.create({ name, message, autoArchiveDuration: 1440 });
    }
    if (known && !("isThread" in known)) return threadOnMessage(known, name);
    const channel = await sendable(client, sub);
    const starter = skip.has(1)
      ? (await scan(channel, nonce, startAfter(from))).get(1)
      : await channel.send(first);
    if (!starter) throw new Error("the digest's first message was deleted before its thread was started");
    return threadOnMessage(starter, name);
  }

  return {
    async deliver(sub, digest, nonce, skip, from) {
      const parts = renderDigest(digest, { nonce, roleId: sub.roleId ?? null }).map((payload, i) => ({
        ...payload,
        // Discord de-duplicates a repeated nonce from the same author for a few minutes.
        nonce: `${nonce}${i + 1}`.slice(0, 25),
        enforceNonce: true,
      }));
      const [first, ...rest] = parts;
      if (!first) return { parts: 0 };
      if (sub.post === "thread" || sub.post === "forum") {
        const thread = await openThread(sub, digest, first, nonce, skip, from).finally(() =>
          found.delete(nonce),
        );
        for (const [i, payload] of rest.entries()) if (!skip.has(i + 2)) await thread.send(payload);
        return { parts: parts.length };
      }
      const channel = await sendable(client, sub);
      for (const [i, payload] of parts.entries()) if (!skip.has(i + 1)) await channel.send(payload);
      return { parts: parts.length };
    },
    async anchor(sub: Subscription) {
      // A forum's "last message" is its newest post.
      if (sub.post === "forum") return (await forumChannel(client, sub)).lastMessageId ?? "0";
      const channel = await sendable(client, sub);
      if (!("messages" in channel)) return "0";
      const [newest] = (await channel.messages.fetch({ limit: 1, cache: false })).keys();
      return newest ?? "0";
    },
    async delivered(sub: Subscription, nonce: string, from: { anchor?: string; since: string }) {
      let parts: Map<number, Message>;
      if (sub.post === "forum") {
        const post = await forumPost(await forumChannel(client, sub), nonce, from);
        if (post) found.set(nonce, post);
        parts = post ? await scan(post, nonce, "0") : new Map();
      } else {
        parts = await scan(await sendable(client, sub), nonce, startAfter(from));
        const starter = parts.get(1);
        if (sub.post === "thread" && starter) {
          found.set(nonce, starter);
          // The thread on the first part has the first part's id; a crash may have come before it was started.
          const thread = await client.channels.fetch(starter.id).catch(() => null);
          if (thread?.isThread()) for (const [part, m] of await scan(thread, nonce, "0")) parts.set(part, m);
        }
      }
      return new Set(parts.keys());
    },
    async notifyPaused(sub: Subscription, reason: string) {
      const user = await client.users.fetch(sub.createdBy);
      const text = `Your news digest for ${channelMention(sub.channelId)} failed ${sub.failures} times in a row (${reason}) and is paused. Fix the problem, then run \`/digest subscribe\` again.`;
      await user.send({ content: text, allowedMentions: { parse: [] } });
    },
    explain(error: unknown) {
      if (error instanceof DiscordAPIError) {
        const known = typeof error.code === "number" ? REASONS[error.code] : undefined;
        return {
          reason: known ?? `Discord answered ${error.status}: ${error.message}`,
          permanent: Boolean(known),
        };
      }
      return { reason: (error as Error).message || String(error), permanent: false };
    },
  };
}
