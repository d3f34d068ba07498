import { Client, Events, GatewayIntentBits, Partials } from "discord.js";
import { DigestScheduler } from "../digest/scheduler.js";
import { createSubscriptionStore } from "../digest/subscriptions.js";
import type { BotDeps, Command } from "./command.js";
import { createDiscordDigestSender } from "./digest-sender.js";
import { createMessageHandler } from "./messages.js";
import { createInteractionRouter } from "./router.js";
import { isShardProcess } from "./sharding.js";
import { fatalCloseProblem } from "./token.js";

/**
 * The discord.js client options Verbatim runs with: no mentions parsed, ever; no privileged intent unless message
 * content was asked for (`DISCORD_MESSAGE_CONTENT`).
 */
export function clientOptions(apiUrl: string | undefined, messageContent = false) {
  return {
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.DirectMessages,
      ...(messageContent ? [GatewayIntentBits.MessageContent] : []),
    ],
    // DM channels are not cached until used: without the Channel partial, discord.js drops DM messages.
    partials: [Partials.Channel],
    allowedMentions: { parse: [] as [] },
    ...(apiUrl ? { rest: { api: apiUrl } } : {}),
    // A shard process takes its shard from the env its ShardingManager set; any other process is the only shard,
    // whatever SHARDS says (discord.js would otherwise read `SHARDS=auto` from the env as a shard list).
    ...(isShardProcess() ? {} : { shards: 0, shardCount: 1 }),
  };
}

/** A running bot: the client, and a stop that lets in-flight replies finish. */
export interface Bot {
  client: Client;
  deps: BotDeps;
  start(token: string): Promise<void>;
  stop(): Promise<void>;
}

/** Wire the client's events to the router, the message handler and the digest scheduler. */
export function createBot(
  base: Omit<BotDeps, "digests">,
  options: {
    /** The slash commands, by name (`loadCommands()` from commands/). */
    commands: ReadonlyMap<string, Command>;
    clock?: () => Date;
    schedule?: boolean;
    /** Called when Discord closed the gateway for good (a reset token, a disallowed intent), with what to fix. */
    onFatal?: (problem: string) => void;
  },
): Bot {
  const client = new Client(clientOptions(base.config.discord.apiUrl, base.config.discord.messageContent));
  const clock = options.clock ?? (() => new Date());
  const subscriptions = createSubscriptionStore(base.state.ns("subscriptions"));
  const sender = createDiscordDigestSender(client);
  // Scheduled digests are delivered by one process at a time (this bot, another, or `npm run worker`).
  const delivering =
    options.schedule !== false
      ? base.state.locks.lease("digest-delivery", base.config.leaseSeconds * 1000)
      : null;
  const scheduler = new DigestScheduler(
    { store: base.corpus.store, synonyms: base.corpus.synonyms, subscriptions, sender, log: base.log },
    clock,
    () => delivering?.held() ?? true,
  );
  const deps: BotDeps = { ...base, digests: { subscriptions, scheduler, sender, clock } };
  const { commands } = options;
  // Counted in the state backend, atomically: with Redis or PostgreSQL, across every bot process.
  const cooldown = deps.state.limits.limit(
    "cooldown",
    deps.config.cooldown.questions,
    deps.config.cooldown.seconds,
  );
  const route = createInteractionRouter(commands, deps, cooldown);
  const onMessage = createMessageHandler(client, deps, cooldown);
  const inflight = new Set<Promise<void>>();
  let stopping = false;

  const track = (work: Promise<void>) => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  };
  client.on(Events.InteractionCreate, (interaction) => {
    if (!stopping) track(route(interaction));
  });
  client.on(Events.MessageCreate, (message) => {
    if (!stopping) track(onMessage(message));
  });
  client.once(Events.ClientReady, (c) => {
    deps.log.info({ user: c.user.tag, guilds: c.guilds.cache.size }, "connected to Discord");
    // Digests that came due while the bot was down run once now; then the schedule goes on.
    if (options.schedule !== false) void delivering?.ready.then(() => scheduler.start());
  });
  // discord.js emits this only for close codes it will not reconnect after: the bot is offline until a person acts.
  client.on(Events.ShardDisconnect, (event, shard) => {
    const problem =
      fatalCloseProblem(event.code) ??
      `Discord closed the connection with code ${event.code} and discord.js will not reconnect.`;
    deps.log.fatal({ shard, code: event.code }, problem);
    options.onFatal?.(problem);
  });
  client.on(Events.Error, (err) => deps.log.error({ err }, "client error"));
  // discord.js's own limiter waits before a request when a bucket it knows is used up: no 429 came back.
  client.rest.on("rateLimited", (info) =>
    deps.log.info(
      { route: info.route, waitMs: info.timeToReset, global: info.global, limit: info.limit },
      "waiting for a Discord rate-limit bucket to refill (no 429 received)",
    ),
  );
  client.rest.on("response", (request, response) => {
    if (response.status === 429)
      deps.log.warn(
        { method: request.method, route: request.route, retryAfter: response.headers.get("retry-after") },
        "Discord answered 429 Too Many Requests; discord.js retries after the wait it asked for",
      );
  });

  return {
    client,
    deps,
    async start(token) {
      await client.login(token);
    },
    async stop() {
      stopping = true;
      await scheduler.stop();
      await delivering?.release();
      const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
      await Promise.race([Promise.allSettled([...inflight]), deadline]);
      await client.destroy();
    },
  };
}
