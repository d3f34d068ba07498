/**
 * A small fake Discord for end-to-end tests: REST v10 over HTTP and a JSON gateway over WebSocket, on 127.0.0.1.
 * The real, unmodified discord.js client talks to it (`rest.api` = `apiUrl`); tests assert on the requests it records.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, percent-decoded (`/webhooks/…/messages/@original`). */
  path: string;
  rawPath: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  at: number;
}

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  remaining: number;
}

type EmbedLike = {
  title?: string;
  description?: string;
  footer?: { text?: string };
  author?: { name?: string };
  fields?: { name?: string; value?: string }[];
};

/** Every limit of Discord's message and embed a payload breaks, checked the way Discord checks them (its own code:
 * the renderer's limits are not trusted here). */
export function payloadProblems(message: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const over = (what: string, text: string | undefined, max: number) => {
    if (text !== undefined && [...text].length > max) problems.push(`${what}: ${[...text].length} > ${max}`);
  };
  over("content", message.content as string | undefined, 2000);
  const embeds = (message.embeds as EmbedLike[] | undefined) ?? [];
  if (embeds.length > 10) problems.push(`embeds: ${embeds.length} > 10`);
  let total = 0;
  embeds.forEach((e, i) => {
    over(`embeds[${i}].title`, e.title, 256);
    over(`embeds[${i}].description`, e.description, 4096);
    over(`embeds[${i}].footer.text`, e.footer?.text, 2048);
    over(`embeds[${i}].author.name`, e.author?.name, 256);
    if ((e.fields?.length ?? 0) > 25) problems.push(`embeds[${i}].fields: ${e.fields?.length} > 25`);
    for (const [j, f] of (e.fields ?? []).entries()) {
      over(`embeds[${i}].fields[${j}].name`, f.name, 256);
      over(`embeds[${i}].fields[${j}].value`, f.value, 1024);
      if (!f.name || !f.value) problems.push(`embeds[${i}].fields[${j}]: empty name or value`);
    }
    total += [
      e.title,
      e.description,
      e.footer?.text,
      e.author?.name,
      ...(e.fields ?? []).flatMap((f) => [f.name, f.value]),
    ]
      .map((t) => [...(t ?? "")].length)
      .reduce((a, b) => a + b, 0);
  });
  if (total > 6000) problems.push(`embeds total: ${total} > 6000`);
  const rows = (message.components as { components?: Record<string, unknown>[] }[] | undefined) ?? [];
  if (rows.length > 5) problems.push(`components: ${rows.length} rows > 5`);
  for (const row of rows)
    for (const c of row.components ?? []) {
      over("button label", c.label as string | undefined, 80);
      over("button url", c.url as string | undefined, 512);
      over("custom_id", c.custom_id as string | undefined, 100);
    }
  return problems;
}

// Above the fixed ids (channels 1300000000000000001…099), so a generated id never names a known channel.
let snowflake = 1_300_000_000_000_001_000n;
/** A fresh, increasing snowflake id. */
export function nextId(): string {
  snowflake += 1n;
  return snowflake.toString();
}

export const ALL_PERMISSIONS = "2251799813685247";
/** View Channel, Send Messages, Embed Links, Read Message History, Create Public Threads, Send Messages in Threads. */
export const BOT_PERMISSIONS = String(
  (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n) | (1n << 35n) | (1n << 38n),
);

/** The privileged intent that lets a bot read messages that do not mention it. */
const MESSAGE_CONTENT_INTENT = 1 << 15;

export class FakeDiscord {
  readonly applicationId = "1100000000000000001";
  readonly botUser = {
    id: this.applicationId,
    username: "Verbatim",
    discriminator: "0",
    global_name: null,
    avatar: null,
    bot: true,
  };
  readonly guildId = "1200000000000000001";
  readonly channelId = "1300000000000000001";
  /** A channel where @everyone (and so the bot) may not send messages. */
  readonly lockedChannelId = "1300000000000000002";
  /** A forum channel: messages go into its posts (threads), each opened with a first message. */
  readonly forumChannelId = "1300000000000000003";
  /** Threads started so far, by id, as Discord describes them. */
  readonly threads = new Map<string, Record<string, unknown>>();
  /** The message each interaction's original response became, by interaction token (one id, as on Discord). */
  private readonly originals = new Map<string, Record<string, unknown>>();
  /** Messages posted to each channel, newest last (GET /channels/:id/messages serves them). */
  readonly channelMessages = new Map<string, Record<string, unknown>[]>();
  readonly requests: RecordedRequest[] = [];
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  /** The shard each connection identified as ([id, count]; [0, 1] when unsharded). */
  private readonly shardOf = new Map<WebSocket, [number, number]>();
  /** The shards clients have identified as, in order. */
  readonly identifiedShards: [number, number][] = [];
  /** What GET /gateway/bot recommends (`SHARDS=auto`). */
  recommendedShards = 1;
  private seq = 0;
  private readonly holds: { method: string; path: RegExp }[] = [];
  /** Payloads refused for breaking a limit, with what broke it. */
  readonly rejected: { path: string; problems: string[] }[] = [];
  private failures: Failure[] = [];
  private identified: (() => void) | null = null;
  /** Resolves when a client has identified and received READY and GUILD_CREATE. */
  ready: Promise<void> = new Promise((resolve) => {
    this.identified = resolve;
  });
  port = 0;
  /** How many times a client has identified (a restarted bot identifies again). */
  identifies = 0;
  /** The gateway intents the last client identified with. */
  intents = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<void> {
    this.http = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on("upgrade", (req, socket, head) => {
      this.wss?.handleUpgrade(req, socket, head, (ws) => this.connect(ws));
    });
    this.http.listen(0, "127.0.0.1");
    await once(this.http, "listening");
    this.port = (this.http.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => {
      if (!this.http) return resolve();
      this.http.closeAllConnections();
      this.http.close(() => resolve());
    });
  }

  /** Handle requests matching method and path (a message is created) but never answer them: the client hangs there,
   * as it would when a process is killed between Discord accepting a message and the client hearing so. */
  hold(method: string, path: RegExp): void {
    this.holds.push({ method, path });
  }

  /** Answer requests again (those already held stay unanswered). */
  release(): void {
    this.holds.length = 0;
  }

  /** Discord remembers an enforced nonce for a few minutes only: forget every nonce seen so far. */
  forgetNonces(): void {
    for (const list of this.channelMessages.values()) for (const message of list) delete message.nonce;
  }

  /** The message an interaction's original response became (after `editReply`), as Discord stores it. */
  original(token: string): Record<string, unknown> | undefined {
    return this.originals.get(token);
  }

  /** Post a message from another member in a channel, as a busy server would. */
  postAsMember(channelId: string, content: string): void {
    const list = this.channelMessages.get(channelId) ?? [];
    list.push({
      ...this.messageFrom({ content }, channelId, false),
      author: this.user("1400000000000000077", "member"),
    });
    this.channelMessages.set(channelId, list);
  }

  /** Answer the next `times` requests matching method and path with an error status. */
  fail(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, remaining: times });
  }

  /** Wait for a recorded request that matches, including ones already received after `since`. */
  async waitFor(
    match: (r: RecordedRequest) => boolean,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<RecordedRequest> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.requests.slice(since).find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `no matching request within ${timeoutMs} ms; saw:\n${this.requests.map((r) => `${r.method} ${r.path}`).join("\n")}`,
    );
  }

  /** Requests received after `since` that match. */
  after(since: number, match: (r: RecordedRequest) => boolean): RecordedRequest[] {
    return this.requests.slice(since).filter(match);
  }

  // ---- gateway ----

  private send(ws: WebSocket, payload: object): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  /** Close every gateway connection with a close code, as Discord does after a reset token (4004) and the like. */
  closeGateway(code: number): void {
    for (const ws of this.sockets) ws.close(code, "closed by the fake");
  }

  /** The shard, of `count`, that Discord routes a server to. */
  static shardFor(guildId: string, count: number): number {
    return Number((BigInt(guildId) >> 22n) % BigInt(count));
  }

  /** Whether a connection's shard holds the server (DMs and other events without a server go to shard 0). */
  private routes(ws: WebSocket, guildId: string | undefined): boolean {
    const [id, count] = this.shardOf.get(ws) ?? [0, 1];
    return guildId ? FakeDiscord.shardFor(guildId, count) === id : id === 0;
  }

  /** Send a dispatch event to the client whose shard it belongs to (every client, unsharded). */
  dispatch(t: string, d: unknown): void {
    this.seq += 1;
    const guildId = (d as { guild_id?: string } | null)?.guild_id;
    for (const ws of this.sockets) if (this.routes(ws, guildId)) this.send(ws, { op: 0, t, s: this.seq, d });
  }

  private connect(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => {
      this.sockets.delete(ws);
      this.shardOf.delete(ws);
    });
    this.send(ws, { op: 10, d: { heartbeat_interval: 45_000 }, s: null, t: null });
    ws.on("message", (raw) => {
      const msg = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (msg.op === 1) this.send(ws, { op: 11, d: null, s: null, t: null });
      if (msg.op === 2) {
        this.identifies += 1;
        const identify = msg.d as { intents?: number; shard?: [number, number] } | null;
        this.intents = Number(identify?.intents ?? 0);
        const shard: [number, number] = identify?.shard ?? [0, 1];
        this.shardOf.set(ws, shard);
        this.identifiedShards.push(shard);
        const holds = this.routes(ws, this.guildId);
        this.seq += 1;
        this.send(ws, {
          op: 0,
          t: "READY",
          s: this.seq,
          d: {
            v: 10,
            user: this.botUser,
            guilds: holds ? [{ id: this.guildId, unavailable: true }] : [],
            session_id: "fake-session",
            resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
            shard,
            application: { id: this.applicationId, flags: 0 },
            private_channels: [],
            presences: [],
            relationships: [],
            user_settings: {},
          },
        });
        this.seq += 1;
        if (holds) this.send(ws, { op: 0, t: "GUILD_CREATE", s: this.seq, d: this.guild() });
        this.identified?.();
      }
    });
  }

  guild() {
    return {
      id: this.guildId,
      name: "Newsroom",
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: "1400000000000000009",
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: this.guildId,
          name: "@everyone",
          permissions: BOT_PERMISSIONS,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: "en-US",
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [
        {
          user: this.botUser,
          roles: [],
          joined_at: new Date().toISOString(),
          deaf: false,
          mute: false,
          flags: 0,
        },
      ],
      channels: [
        this.guildChannelOf(this.channelId, 0, "general", 0),
        this.guildChannelOf(this.lockedChannelId, 0, "announcements", 1, [
          { id: this.guildId, type: 0, allow: "0", deny: String(1n << 11n) },
        ]),
        {
          ...this.guildChannelOf(this.forumChannelId, 15, "news-forum", 2),
          available_tags: [],
          default_reaction_emoji: null,
          default_thread_rate_limit_per_user: 0,
          default_sort_order: null,
          default_forum_layout: 0,
          flags: 0,
        },
      ],
      threads: [...this.threads.values()],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  /** A server channel as Discord describes it (`type` 0: text, 15: forum). */
  private guildChannelOf(
    id: string,
    type: number,
    name: string,
    position: number,
    overwrites: unknown[] = [],
  ) {
    return {
      id,
      guild_id: this.guildId,
      type,
      name,
      position,
      permission_overwrites: overwrites,
      parent_id: null,
      nsfw: false,
      topic: null,
      rate_limit_per_user: 0,
      last_message_id: null,
    };
  }

  /** A guild channel by id (text, forum or thread), as GET /channels/:id serves it; null for any other id. */
  private guildChannel(id: string): Record<string, unknown> | null {
    const thread = this.threads.get(id);
    if (thread) return thread;
    const found = (this.guild().channels as Record<string, unknown>[]).find((c) => c.id === id);
    return found ? { ...found, guild_id: this.guildId } : null;
  }

  /** Start a public thread (id `id`) in `parentId`, as the bot, and tell the gateway as Discord does. */
  startThread(id: string, parentId: string, name: string) {
    const thread = {
      id,
      guild_id: this.guildId,
      parent_id: parentId,
      owner_id: this.botUser.id,
      type: 11,
      name,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 1440,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
    };
    this.threads.set(id, thread);
    this.dispatch("THREAD_CREATE", { ...thread, newly_created: true });
    return thread;
  }

  /** The guild text channel as interactions carry it. */
  private interactionChannel(withPermissions: boolean) {
    return {
      id: this.channelId,
      type: 0,
      guild_id: this.guildId,
      name: "general",
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
      ...(withPermissions ? { permissions: ALL_PERMISSIONS } : {}),
    };
  }

  /** A guild member as interactions carry it, with its permissions in the channel. */
  private interactionMember(user: ReturnType<FakeDiscord["user"]>, permissions: string) {
    return {
      user,
      roles: [],
      joined_at: new Date().toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      permissions,
      nick: null,
      avatar: null,
    };
  }

  user(id = "1400000000000000001", name = "reader") {
    return { id, username: name, discriminator: "0", global_name: name, avatar: null };
  }

  /** Send a slash command as a user in the guild channel (or in a DM with `dm`). Returns its id and token. */
  slash(
    name: string,
    options: { name: string; type: number; value?: unknown; options?: unknown[]; focused?: boolean }[] = [],
    extra: {
      userId?: string;
      permissions?: string;
      dm?: boolean;
      channels?: string[];
      /** 4 for an autocomplete request (an option being typed, marked `focused`); 2, a command, by default. */
      interactionType?: number;
      /** Role ids the options name (resolved as Discord resolves them). */
      roles?: string[];
    } = {},
  ): { id: string; token: string } {
    const id = nextId();
    const token = `itoken-${id}`;
    const user = this.user(extra.userId);
    const base = {
      id,
      application_id: this.applicationId,
      type: extra.interactionType ?? 2,
      token,
      version: 1,
      locale: "en-US",
      app_permissions: ALL_PERMISSIONS,
      entitlements: [],
      attachment_size_limit: 8_388_608,
      data: {
        id: nextId(),
        name,
        type: 1,
        options,
        ...(extra.roles?.length || extra.channels?.length
          ? {
              resolved: {
                ...(extra.roles?.length
                  ? {
                      roles: Object.fromEntries(
                        extra.roles.map((id) => [
                          id,
                          {
                            id,
                            name: id === this.guildId ? "@everyone" : "news-readers",
                            color: 0,
                            hoist: false,
                            position: id === this.guildId ? 0 : 1,
                            // As in the guild: @everyone keeps the permissions the guild gives it.
                            permissions: id === this.guildId ? BOT_PERMISSIONS : "0",
                            managed: false,
                            mentionable: true,
                            flags: 0,
                          },
                        ]),
                      ),
                    }
                  : {}),
                ...(extra.channels?.length
                  ? {
                      channels: Object.fromEntries(
                        extra.channels.map((id) => [
                          id,
                          {
                            id,
                            type: Number(this.guildChannel(id)?.type ?? 0),
                            name: "channel",
                            permissions: ALL_PERMISSIONS,
                          },
                        ]),
                      ),
                    }
                  : {}),
              },
            }
          : {}),
      },
    };
    const payload = extra.dm
      ? {
          ...base,
          channel_id: "1500000000000000001",
          channel: {
            id: "1500000000000000001",
            type: 1,
            last_message_id: null,
            flags: 0,
            recipients: [user],
          },
          user,
          authorizing_integration_owners: { "0": user.id },
          context: 1,
        }
      : {
          ...base,
          guild_id: this.guildId,
          guild_locale: "en-US",
          guild: { id: this.guildId, locale: "en-US", features: [] },
          channel_id: this.channelId,
          channel: this.interactionChannel(true),
          member: this.interactionMember(user, extra.permissions ?? BOT_PERMISSIONS),
          authorizing_integration_owners: { "0": this.guildId },
          context: 0,
        };
    this.dispatch("INTERACTION_CREATE", payload);
    return { id, token };
  }

  /** What every interaction in the guild channel carries, from `user`. */
  private guildInteraction(
    id: string,
    token: string,
    type: number,
    user: ReturnType<FakeDiscord["user"]>,
    withPermissions: boolean,
  ) {
    return {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      locale: "en-US",
      app_permissions: ALL_PERMISSIONS,
      entitlements: [],
      guild_id: this.guildId,
      guild_locale: "en-US",
      channel_id: this.channelId,
      channel: this.interactionChannel(withPermissions),
      member: this.interactionMember(user, BOT_PERMISSIONS),
      authorizing_integration_owners: { "0": this.guildId },
      context: 0,
    };
  }

  /** Press a button on a message the bot sent. */
  button(customId: string, message: Record<string, unknown>, userId?: string): { id: string; token: string } {
    const id = nextId();
    const token = `btoken-${id}`;
    const user = this.user(userId);
    this.dispatch("INTERACTION_CREATE", {
      ...this.guildInteraction(id, token, 3, user, false),
      message: { ...message, interaction_metadata: this.interactionMetadata(user.id) },
      data: { custom_id: customId, component_type: 2 },
    });
    return { id, token };
  }

  /** Use a message context-menu command ("Apps" → name) on a message with this content, in the guild channel. */
  messageMenu(name: string, content: string, userId?: string): { id: string; token: string } {
    const id = nextId();
    const token = `ctoken-${id}`;
    const user = this.user(userId);
    const targetId = nextId();
    const target = {
      ...this.messageFrom({ content }, this.channelId, false),
      id: targetId,
      author: this.user("1400000000000000003", "writer"),
    };
    this.dispatch("INTERACTION_CREATE", {
      ...this.guildInteraction(id, token, 2, user, true),
      data: {
        id: nextId(),
        name,
        type: 3,
        target_id: targetId,
        resolved: { messages: { [targetId]: target } },
      },
    });
    return { id, token };
  }

  /** Submit a modal form the bot showed, with its text fields' values by custom id. */
  modalSubmit(
    customId: string,
    fields: Record<string, string>,
    userId?: string,
  ): { id: string; token: string } {
    const id = nextId();
    const token = `mtoken-${id}`;
    const user = this.user(userId);
    this.dispatch("INTERACTION_CREATE", {
      ...this.guildInteraction(id, token, 5, user, false),
      data: {
        custom_id: customId,
        components: Object.entries(fields).map(([field, value]) => ({
          type: 1,
          components: [{ type: 4, custom_id: field, value }],
        })),
      },
    });
    return { id, token };
  }

  /** A message from a user: in a DM (`dm`), or in the guild channel, optionally mentioning users. */
  message(
    content: string,
    extra: {
      dm?: boolean;
      bot?: boolean;
      mentions?: string[];
      authorId?: string;
      everyone?: boolean;
      /** The id of a message this one replies to (in the same channel). */
      replyTo?: string;
      /** A guild channel or thread other than the general channel. */
      channelId?: string;
      /** false: a reply with its ping turned off (it then does not mention the author replied to). */
      ping?: boolean;
    } = {},
  ): string {
    const channelId = extra.channelId ?? this.channelId;
    const id = nextId();
    const author = {
      ...this.user(extra.authorId ?? "1400000000000000002", extra.bot ? "otherbot" : "writer"),
      ...(extra.bot ? { bot: true } : {}),
    };
    const referenced = extra.replyTo
      ? ([...this.channelMessages.values()].flat().find((m) => m.id === extra.replyTo) ?? null)
      : null;
    const mentions = (extra.mentions ?? []).map((m) => (m === this.botUser.id ? this.botUser : this.user(m)));
    // A reply mentions the author it replies to, unless the person turned the reply's ping off.
    const repliedAuthor = (referenced?.author as { id?: string } | undefined)?.id;
    if (repliedAuthor === this.botUser.id && extra.ping !== false && !mentions.includes(this.botUser))
      mentions.push(this.botUser);
    const base = {
      id,
      content,
      author,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: extra.everyone ?? false,
      mentions,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: extra.replyTo ? 19 : 0,
      flags: 0,
      components: [],
      ...(extra.replyTo
        ? {
            // As Discord does, the message replied to comes along (discord.js reads its author as `repliedUser`).
            referenced_message: referenced,
            message_reference: {
              type: 0,
              message_id: extra.replyTo,
              channel_id: extra.dm ? "1500000000000000002" : channelId,
              ...(extra.dm ? {} : { guild_id: this.guildId }),
            },
          }
        : {}),
    };
    // Without the Message Content intent Discord sends a server message's text only to the bots it mentions.
    const readable =
      (this.intents & MESSAGE_CONTENT_INTENT) !== 0 || mentions.some((m) => m.id === this.botUser.id);
    if (extra.dm)
      this.dispatch("MESSAGE_CREATE", { ...base, channel_id: "1500000000000000002", channel_type: 1 });
    else {
      this.dispatch("MESSAGE_CREATE", {
        ...base,
        ...(readable ? {} : { content: "" }),
        channel_id: channelId,
        guild_id: this.guildId,
        channel_type: this.threads.has(channelId) ? 11 : 0,
        member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
      });
    }
    return id;
  }

  private interactionMetadata(userId: string) {
    return {
      id: nextId(),
      type: 2,
      user: this.user(userId),
      authorizing_integration_owners: { "0": this.guildId },
    };
  }

  // ---- REST ----

  /** A page of a channel's messages as Discord serves it: newest first, at most `limit` (1–100, default 50), those
   * just after `after` or just before `before` when given. */
  private messagePage(channelId: string, query: URLSearchParams) {
    const all = this.channelMessages.get(channelId) ?? [];
    const limit = Math.min(100, Math.max(1, Number(query.get("limit") ?? 50)));
    const after = query.get("after");
    const before = query.get("before");
    if (after)
      return all
        .filter((x) => BigInt(String(x.id)) > BigInt(after))
        .slice(0, limit)
        .reverse();
    const older = before ? all.filter((x) => BigInt(String(x.id)) < BigInt(before)) : all;
    return older.slice(-limit).reverse();
  }

  /** What an edit changes in a message. */
  private editedFields(body: Record<string, unknown> | null) {
    const fields: Record<string, unknown> = { edited_timestamp: new Date().toISOString() };
    for (const key of ["content", "embeds", "components", "flags"])
      if (body && key in body) fields[key] = body[key];
    return fields;
  }

  private messageFrom(body: Record<string, unknown> | null, channelId: string, withInteraction: boolean) {
    return {
      id: nextId(),
      channel_id: channelId,
      author: this.botUser,
      content: (body?.content as string | undefined) ?? "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: (body?.embeds as unknown[] | undefined) ?? [],
      components: (body?.components as unknown[] | undefined) ?? [],
      pinned: false,
      type: withInteraction ? 20 : 0,
      flags: (body?.flags as number | undefined) ?? 0,
      ...(withInteraction
        ? {
            webhook_id: this.applicationId,
            application_id: this.applicationId,
            interaction_metadata: this.interactionMetadata("1400000000000000001"),
          }
        : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const rawPath = url.pathname.replace(/^\/api(\/v\d+)?/, "");
    const path = decodeURIComponent(rawPath);
    let body: Record<string, unknown> | null = null;
    const text = Buffer.concat(chunks).toString("utf8");
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { raw: text };
      }
    }
    const method = req.method ?? "GET";
    this.requests.push({ method, path, rawPath, query: url.searchParams, body, at: Date.now() });
    const held = this.holds.some((h) => h.method === method && h.path.test(path));
    const reply = (status: number, json?: unknown) => {
      if (held) return;
      // A 204 has no body, and a JSON content type on it would make the client parse nothing.
      res.writeHead(status, json === undefined ? {} : { "content-type": "application/json" });
      res.end(json === undefined ? "" : JSON.stringify(json));
    };

    const failure = this.failures.find((f) => f.remaining > 0 && f.method === method && f.path.test(path));
    if (failure) {
      failure.remaining -= 1;
      if (failure.status === 429) {
        // Discord's rate-limit answer: the client must wait `retry_after` seconds and try again.
        res.writeHead(429, {
          "content-type": "application/json",
          "retry-after": "1",
          "x-ratelimit-scope": "user",
        });
        res.end(JSON.stringify({ message: "You are being rate limited.", retry_after: 0.3, global: false }));
        return;
      }
      return reply(failure.status, { message: "Injected failure", code: 0 });
    }

    if (method === "GET" && path === "/gateway/bot") {
      return reply(200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: this.recommendedShards,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === "GET" && path === "/users/@me") return reply(200, this.botUser);
    // Like Discord, a message over any limit is refused whole with 400 "Invalid Form Body".
    const sendsMessage =
      (method === "POST" || method === "PATCH") &&
      (/^\/channels\/\d+\/messages$/.test(path) ||
        /^\/webhooks\//.test(path) ||
        /^\/interactions\/\d+\/[^/]+\/callback$/.test(path));
    const message = /\/callback$/.test(path) ? (body?.data as Record<string, unknown> | undefined) : body;
    const problems = sendsMessage && message ? payloadProblems(message) : [];
    if (problems.length > 0) {
      this.rejected.push({ path, problems });
      return reply(400, { code: 50035, message: "Invalid Form Body", errors: problems });
    }
    let m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (method === "POST" && m) {
      if (url.searchParams.get("with_response") === "true") {
        return reply(200, {
          interaction: {
            id: m[1],
            type: 2,
            activity_instance_id: null,
            response_message_id: null,
            response_message_loading: true,
            response_message_ephemeral: false,
          },
          resource: { type: (body?.type as number | undefined) ?? 5 },
        });
      }
      return reply(204);
    }
    m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(@original|\d+)$/.exec(path);
    if (m && m[3] === "@original" && (method === "PATCH" || method === "GET")) {
      // The original response is one message, edited in place and seen in its channel, as on Discord.
      const token = m[2] ?? "";
      const earlier = this.originals.get(token);
      const message = earlier
        ? Object.assign(earlier, method === "PATCH" ? this.editedFields(body) : {})
        : this.messageFrom(body, this.channelId, true);
      if (!earlier) {
        this.originals.set(token, message);
        const list = this.channelMessages.get(this.channelId) ?? [];
        list.push(message);
        this.channelMessages.set(this.channelId, list);
      }
      return reply(200, message);
    }
    if (m && (method === "PATCH" || method === "GET"))
      return reply(200, this.messageFrom(body, this.channelId, true));
    m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path);
    if (m && method === "POST") return reply(200, this.messageFrom(body, this.channelId, true));
    m = /^\/channels\/(\d+)\/messages$/.exec(path);
    if (m && method === "POST") {
      const channelId = m[1] ?? this.channelId;
      const list = this.channelMessages.get(channelId) ?? [];
      // Like Discord, a repeated enforced nonce returns the message it already created.
      const nonce = body?.nonce;
      const earlier = body?.enforce_nonce && list.find((x) => x.nonce === nonce);
      if (earlier) return reply(200, earlier);
      const message = { ...this.messageFrom(body, channelId, false), nonce };
      list.push(message);
      this.channelMessages.set(channelId, list);
      return reply(200, message);
    }
    if (m && method === "GET") return reply(200, this.messagePage(m[1] ?? "", url.searchParams));
    m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path);
    if (m && method === "GET") {
      const found = (this.channelMessages.get(m[1] ?? "") ?? []).find((x) => x.id === m?.[2]);
      return found ? reply(200, found) : reply(404, { message: "Unknown Message", code: 10008 });
    }
    m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path);
    if (m && method === "POST") {
      const [, parentId = "", messageId = ""] = m;
      if (!(this.channelMessages.get(parentId) ?? []).some((x) => x.id === messageId))
        return reply(404, { message: "Unknown Message", code: 10008 });
      // A thread on a message has the message's id; a second one is refused.
      if (this.threads.has(messageId))
        return reply(400, { message: "A thread has already been created for this message", code: 160004 });
      return reply(201, this.startThread(messageId, parentId, String(body?.name ?? "thread")));
    }
    m = /^\/channels\/(\d+)\/threads$/.exec(path);
    if (m && method === "POST") {
      const parentId = m[1] ?? "";
      const first = body?.message as Record<string, unknown> | undefined;
      if (parentId === this.forumChannelId && !first)
        return reply(400, { message: "A forum post needs a message", code: 50035 });
      const problems = first ? payloadProblems(first) : [];
      if (problems.length > 0) {
        this.rejected.push({ path, problems });
        return reply(400, { code: 50035, message: "Invalid Form Body", errors: problems });
      }
      const id = nextId();
      const thread = this.startThread(id, parentId, String(body?.name ?? "thread"));
      if (!first) return reply(201, thread);
      // A forum post's first message has the post's id and lives in the post.
      const message = { ...this.messageFrom(first, id, false), id };
      this.channelMessages.set(id, [message]);
      return reply(201, { ...thread, message });
    }
    m = /^\/guilds\/(\d+)$/.exec(path);
    if (m && method === "GET")
      return m[1] === this.guildId
        ? reply(200, this.guild())
        : reply(404, { message: "Unknown Guild", code: 10004 });
    m = /^\/guilds\/(\d+)\/threads\/active$/.exec(path);
    if (m && method === "GET")
      return reply(200, {
        threads: [...this.threads.values()].filter((t) => t.guild_id === m?.[1]),
        members: [],
      });
    if (method === "POST" && path === "/users/@me/channels") {
      const recipient = String(body?.recipient_id ?? "");
      return reply(200, {
        id: `9${recipient.slice(1)}`,
        type: 1,
        last_message_id: null,
        flags: 0,
        recipients: [this.user(recipient)],
      });
    }
    m = /^\/users\/(\d+)$/.exec(path);
    if (m && method === "GET") return reply(200, this.user(m[1]));
    m = /^\/channels\/(\d+)$/.exec(path);
    if (m && method === "GET")
      return reply(
        200,
        this.guildChannel(m[1] ?? "") ?? {
          id: m[1],
          type: 1,
          last_message_id: null,
          flags: 0,
          recipients: [this.user()],
        },
      );
    m = /^\/applications\/(\d+)(\/guilds\/(\d+))?\/commands$/.exec(path);
    if (m && method === "PUT")
      return reply(
        200,
        ((body as unknown as unknown[]) ?? []).map((c) => ({
          ...(c as object),
          id: nextId(),
          application_id: m?.[1],
          version: nextId(),
        })),
      );
    if (m && method === "GET") return reply(200, []);
    return reply(404, { message: "404: Not Found", code: 0 });
  }
}
