import type { Channel } from "discord.js";
import type { Place } from "../state/guild-settings.js";

/** Where a message or an interaction is, as settings see it: a thread counts with its parent channel. */
export function placeOf(where: { channelId: string | null; channel: Channel | null }): Place {
  const thread = where.channel?.isThread() ? where.channel : null;
  return { channelId: where.channelId ?? "", parentId: thread?.parentId ?? null, isThread: thread !== null };
}
