import {
  type Client,
  channelMention,
  DiscordAPIError,
  type Message,
  Routes,
  type SendableChannels,
  SnowflakeUtil,
} from "discord.js";
import type { Digest } from "../digest/build.js";
import type { DigestSender } from "../digest/delivery.js";
import type { Subscription } from "../digest/subscriptions.js";
import { renderDigest } from "./render-digest.js";

const REASONS: Record<number, string> = {
  10003: "the channel no longer exists",
  50001: "I can no longer see the channel (Missing Access)",
  50013: "I lack a permission in the channel (Send Messages or Embed Links)",
  50007: "the user does not accept direct messages",
};

/** Pages of 100 messages read at most when checking whether a digest reached its channel before a crash. */
const MAX_RECONCILE_PAGES = 500;

async function sendable(client: Client, channelId: string): Promise<SendableChannels> {
  const channel = await client.channels.fetch(channelId);
  if (!channel?.isSendable()) throw new Error("the channel cannot receive messages");
  return channel;
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
  return {
    async deliver(sub: Subscription, digest: Digest, nonce: string, skip: ReadonlySet<number>) {
      const channel = await sendable(client, sub.channelId);
      const parts = renderDigest(digest, { nonce, roleId: sub.roleId ?? null });
      for (const [i, payload] of parts.entries()) {
        if (skip.has(i + 1)) continue;
        // Discord de-duplicates a repeated nonce from the same author for a few minutes.
        await channel.send({ ...payload, nonce: `${nonce}${i + 1}`.slice(0, 25), enforceNonce: true });
      }
      return { parts: parts.length };
    },
    async anchor(sub: Subscription) {
      const channel = await sendable(client, sub.channelId);
      if (!("messages" in channel)) return "0";
      const [newest] = (await channel.messages.fetch({ limit: 1, cache: false })).keys();
      return newest ?? "0";
    },
    async delivered(sub: Subscription, nonce: string, from: { anchor?: string; since: string }) {
      const channel = await sendable(client, sub.channelId);
      const found = new Set<number>();
      if (!("messages" in channel)) return found;
      // Every message after the anchor is read, page by page, so a busy channel cannot hide a part already posted.
      let after =
        from.anchor ?? SnowflakeUtil.generate({ timestamp: Date.parse(from.since) - 60_000 }).toString();
      const self = await botId();
      for (let page = 0; page < MAX_RECONCILE_PAGES; page++) {
        const batch = await channel.messages.fetch({ after, limit: 100, cache: false });
        for (const message of batch.values() as Iterable<Message>) {
          if (BigInt(message.id) > BigInt(after)) after = message.id;
          if (message.author.id !== self) continue;
          for (const embed of message.embeds) {
            const m = /digest ([0-9a-f]+) · part (\d+)\/(\d+)/.exec(embed.footer?.text ?? "");
            if (m && m[1] === nonce) found.add(Number(m[2]));
          }
        }
        if (batch.size < 100) return found;
      }
      throw new Error(
        `more than ${MAX_RECONCILE_PAGES * 100} messages were posted since the digest was sent; it was not checked`,
      );
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
