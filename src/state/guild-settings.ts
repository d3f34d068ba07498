import type Keyv from "keyv";

/** Where mentions of the bot are answered in a server. */
export type MentionScope = "all" | "listed" | "threads";

/** What one channel is set to: answered when mentions are limited to listed channels, and its answers' source. */
export interface ChannelSettings {
  listed?: boolean;
  /** Answers in this channel quote only this site (a name or host, as `/ask source:` takes). */
  source?: string | null;
}

/** A server's settings (`/settings`). */
export interface GuildSettings {
  /** IANA name; "yesterday" and "last week" are counted in it. */
  timeZone: string;
  mentions: MentionScope;
  channels: Record<string, ChannelSettings>;
}

/** What a server has until someone changes it: UTC, mentions answered everywhere, no channel rules. */
export const DEFAULT_SETTINGS: GuildSettings = { timeZone: "UTC", mentions: "all", channels: {} };

/** Channels one server may configure; a bound so a settings record stays small. */
export const MAX_CHANNEL_RULES = 200;

/** Per-server settings in the `settings` namespace, one record a server. */
export interface GuildSettingsStore {
  get(guildId: string | null): Promise<GuildSettings>;
  /** Change a server's settings; returns what they are now. */
  update(guildId: string, change: (current: GuildSettings) => GuildSettings): Promise<GuildSettings>;
}

/** The settings store over the `settings` Keyv namespace. */
export function createGuildSettings(ns: Keyv): GuildSettingsStore {
  const key = (guildId: string) => `guild:${guildId}`;
  async function get(guildId: string | null): Promise<GuildSettings> {
    if (!guildId) return DEFAULT_SETTINGS;
    const stored = await ns.get<Partial<GuildSettings>>(key(guildId));
    return { ...DEFAULT_SETTINGS, ...(stored ?? {}), channels: { ...(stored?.channels ?? {}) } };
  }
  return {
    get,
    async update(guildId, change) {
      const next = change(await get(guildId));
      await ns.set(key(guildId), next);
      return next;
    },
  };
}

/** Where a message was posted: its channel, and the channel a thread belongs to. */
export interface Place {
  channelId: string;
  /** The thread's parent channel, when the message is in a thread. */
  parentId?: string | null;
  isThread: boolean;
}

/** A channel's own rule, or its parent's for a thread that has none. */
function ruleFor(settings: GuildSettings, place: Place): ChannelSettings | undefined {
  return (
    settings.channels[place.channelId] ?? (place.parentId ? settings.channels[place.parentId] : undefined)
  );
}

/** Whether a mention in this place is answered under the server's `/settings mentions` rule. */
export function mentionsAnswered(settings: GuildSettings, place: Place): boolean {
  if (settings.mentions === "all") return true;
  if (settings.mentions === "threads") return place.isThread;
  return ruleFor(settings, place)?.listed === true;
}

/** The source answers in this place draw from (a channel's, else its thread parent's), or null for every source. */
export function channelSource(settings: GuildSettings, place: Place): string | null {
  return ruleFor(settings, place)?.source ?? null;
}
