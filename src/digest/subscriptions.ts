import { randomBytes } from "node:crypto";
import type Keyv from "keyv";
import type { Schedule } from "./schedule.js";

/** A digest in flight: recorded before sending, so a crash between sending and recording cannot post it twice. */
export interface PendingDelivery {
  nonce: string;
  windowEnd: string;
  /** The last article number the digest covers (absent in records written before numbers existed). */
  windowEndSeq?: number;
  /** The channel's newest message before sending ("0" for an empty channel): the restart looks after it. */
  anchor?: string;
  articleIds: string[];
  more: number;
  startedAt: string;
}

/** The outcome of the last run, shown in /digest list. */
export interface RunResult {
  at: string;
  ok: boolean;
  posted: number;
  detail: string;
}

/** A channel's digest subscription. */
/** How a digest is posted (see `Subscription.post`). */
export type DigestPost = "channel" | "thread" | "forum";

export interface Subscription {
  id: string;
  guildId: string;
  channelId: string;
  schedule: Schedule;
  topic: string | null;
  /** Words one of which an article's title or text must hold (absent or empty: no such rule). */
  include?: string[];
  /** Words none of which an article's title or text may hold. */
  exclude?: string[];
  /** The one role a digest mentions (opt-in); @everyone and @here are never pinged. */
  roleId?: string | null;
  /**
   * Where each digest goes: into the channel (absent: the default; a thread chosen as the channel is a fixed
   * thread), a new thread per digest started on its first message, or a new post per digest in a forum channel.
   */
  post?: DigestPost;
  max: number;
  postEmpty: boolean;
  createdBy: string;
  createdAt: string;
  /** When the last digest's window ended (shown to people; older records counted new articles from it). */
  cutoff: string;
  /**
   * Articles numbered above this are new to the subscription; moves only after Discord accepted a digest. Absent in
   * records written before numbers existed: the number of the last article first seen by `cutoff` stands in.
   */
  cutoffSeq?: number;
  /** When the schedule last fired (the next run is the first slot after it). */
  lastRunAt: string;
  lastResult: RunResult | null;
  failures: number;
  retryAt: string | null;
  paused: boolean;
  pausedReason: string | null;
  pending: PendingDelivery | null;
}

/** A short id users can type in /digest unsubscribe. */
export function newSubscriptionId(): string {
  return randomBytes(3).toString("hex");
}

/** A new subscription: what the subscriber chose, and a fresh run state starting at `now` (after article `cutoffSeq`). */
export function newSubscription(
  choice: Pick<
    Subscription,
    | "guildId"
    | "channelId"
    | "schedule"
    | "topic"
    | "max"
    | "postEmpty"
    | "createdBy"
    | "include"
    | "exclude"
    | "roleId"
    | "post"
  >,
  now: Date,
  cutoffSeq?: number,
): Subscription {
  const at = now.toISOString();
  return {
    id: newSubscriptionId(),
    ...choice,
    createdAt: at,
    cutoff: at,
    ...(cutoffSeq === undefined ? {} : { cutoffSeq }),
    lastRunAt: at,
    lastResult: null,
    failures: 0,
    retryAt: null,
    paused: false,
    pausedReason: null,
    pending: null,
  };
}

/** Subscriptions in a Keyv namespace: one key per subscription and an index of ids. */
export function createSubscriptionStore(kv: Keyv) {
  const ids = async () => (await kv.get<string[]>("index")) ?? [];
  return {
    async get(id: string): Promise<Subscription | undefined> {
      return kv.get<Subscription>(`sub:${id}`);
    },
    async all(): Promise<Subscription[]> {
      const list = await Promise.all((await ids()).map((id) => kv.get<Subscription>(`sub:${id}`)));
      return list.filter((s): s is Subscription => s !== undefined);
    },
    async inGuild(guildId: string): Promise<Subscription[]> {
      return (await this.all()).filter((s) => s.guildId === guildId);
    },
    async save(sub: Subscription): Promise<void> {
      await kv.set(`sub:${sub.id}`, sub);
      const list = await ids();
      if (!list.includes(sub.id)) await kv.set("index", [...list, sub.id]);
    },
    async remove(id: string): Promise<boolean> {
      const existed = await kv.delete(`sub:${id}`);
      await kv.set(
        "index",
        (await ids()).filter((x) => x !== id),
      );
      return existed;
    },
  };
}

export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>;
