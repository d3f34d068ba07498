import { randomBytes } from "node:crypto";
import type { CorpusIndex } from "../index/contracts.js";
import type { Logger } from "../log.js";
import type { SynonymMap } from "../text/lexicon.js";
import { buildDigest, type Digest, digestOfWindow } from "./build.js";
import type { Subscription, SubscriptionStore } from "./subscriptions.js";

/** How a digest reaches its channel: the transport (Discord) implements it. */
export interface DigestSender {
  /**
   * Post the digest's parts that are not in `skip` (1-based part numbers); resolves once Discord accepted them all.
   * `from`: when the delivery began and the channel's newest message then, where a resumed delivery looks for what
   * it already posted (the thread or forum post holding later parts); its time dates a thread's name.
   */
  deliver(
    sub: Subscription,
    digest: Digest,
    nonce: string,
    skip: ReadonlySet<number>,
    from: { anchor?: string; since: string },
  ): Promise<{ parts: number }>;
  /** The channel's newest message now ("0" when it has none): where a later reconciliation starts looking. */
  anchor(sub: Subscription): Promise<string>;
  /**
   * The parts of the digest with this nonce already in the channel, found among every message after `anchor`
   * however many were posted since (`undefined`: the record predates anchors, look after `since`).
   */
  delivered(sub: Subscription, nonce: string, from: { anchor?: string; since: string }): Promise<Set<number>>;
  /** Tell the subscription's creator that it failed `failures` times in a row and is paused, and why. */
  notifyPaused(sub: Subscription, reason: string): Promise<void>;
  /** A short reason for a delivery error, and whether retrying cannot help without a person. */
  explain(error: unknown): { reason: string; permanent: boolean };
}

/** After this many failures in a row a subscription is paused and its creator told. */
export const MAX_FAILURES = 5;

/** Back-off before retry number `failures`: 1, 5, 15, 60 minutes, then 3 hours. */
export function retryDelayMs(failures: number): number {
  const minutes = [1, 5, 15, 60, 180][Math.min(failures, 5) - 1] ?? 180;
  return minutes * 60_000;
}

/** What the delivery needs. */
export interface DeliveryDeps {
  store: CorpusIndex;
  synonyms?: SynonymMap;
  subscriptions: SubscriptionStore;
  sender: DigestSender;
  log: Logger;
}

/** The articles new to a subscription: numbered after its cutoff, up to the last committed number. */
export function subscriptionWindow(
  store: CorpusIndex,
  sub: Subscription,
): { afterSeq: number; untilSeq: number } {
  return { afterSeq: sub.cutoffSeq ?? store.seqAt(sub.cutoff), untilSeq: store.committedSeq() };
}

/** What one run did. */
export type RunOutcome = { posted: number; parts: number; nothingNew: boolean };

/**
 * Run one subscription now, exactly once: a pending delivery (from a crash or a failure) is reconciled against every
 * message posted in the channel since it started; a new digest is recorded as pending before it is sent; the cutoff
 * (an article number, so an ingest still running is never skipped) moves only after Discord accepted it.
 */
export async function runSubscription(
  deps: DeliveryDeps,
  subscription: Subscription,
  now: Date,
): Promise<RunOutcome> {
  const sub: Subscription = structuredClone(subscription);
  try {
    let outcome: RunOutcome;
    if (sub.pending) {
      const pending = sub.pending;
      const digest = buildDigest(deps.store, pending.articleIds, pending.articleIds.length, sub.topic);
      digest.more = pending.more;
      const from = { anchor: pending.anchor, since: pending.startedAt };
      const already = await deps.sender.delivered(sub, pending.nonce, from);
      const { parts } = await deps.sender.deliver(sub, digest, pending.nonce, already, from);
      sub.cutoff = pending.windowEnd;
      sub.cutoffSeq = pending.windowEndSeq ?? deps.store.seqAt(pending.windowEnd);
      outcome = { posted: digest.items.length, parts, nothingNew: false };
    } else {
      const windowEnd = now.toISOString();
      const window = subscriptionWindow(deps.store, sub);
      const digest = digestOfWindow(deps.store, window, {
        topic: sub.topic,
        max: sub.max,
        synonyms: deps.synonyms,
        include: sub.include,
        exclude: sub.exclude,
      });
      if (digest.items.length === 0 && !sub.postEmpty) {
        sub.cutoff = windowEnd;
        sub.cutoffSeq = window.untilSeq;
        outcome = { posted: 0, parts: 0, nothingNew: true };
      } else {
        const nonce = randomBytes(8).toString("hex");
        sub.pending = {
          nonce,
          windowEnd,
          windowEndSeq: window.untilSeq,
          anchor: await deps.sender.anchor(sub),
          articleIds: digest.items.map((i) => i.article.id),
          more: digest.more,
          startedAt: now.toISOString(),
        };
        await deps.subscriptions.save(sub);
        const { parts } = await deps.sender.deliver(sub, digest, nonce, new Set(), {
          anchor: sub.pending.anchor,
          since: sub.pending.startedAt,
        });
        sub.cutoff = windowEnd;
        sub.cutoffSeq = window.untilSeq;
        outcome = { posted: digest.items.length, parts, nothingNew: digest.items.length === 0 };
      }
    }
    sub.pending = null;
    sub.failures = 0;
    sub.retryAt = null;
    sub.lastResult = {
      at: now.toISOString(),
      ok: true,
      posted: outcome.posted,
      detail: outcome.nothingNew
        ? "nothing new"
        : `posted ${outcome.posted} article(s) in ${outcome.parts} message(s)`,
    };
    await deps.subscriptions.save(sub);
    deps.log.info(
      { subscription: sub.id, guild: sub.guildId, channel: sub.channelId, ...outcome },
      "digest run",
    );
    return outcome;
  } catch (error) {
    const { reason, permanent } = deps.sender.explain(error);
    sub.failures += 1;
    sub.lastResult = { at: now.toISOString(), ok: false, posted: 0, detail: reason };
    sub.retryAt = new Date(now.getTime() + retryDelayMs(sub.failures)).toISOString();
    deps.log.warn(
      {
        subscription: sub.id,
        guild: sub.guildId,
        channel: sub.channelId,
        failures: sub.failures,
        reason,
        permanent,
        err: error,
      },
      "digest failed",
    );
    if (sub.failures >= MAX_FAILURES && !sub.paused) {
      sub.paused = true;
      sub.pausedReason = reason;
      await deps.sender
        .notifyPaused(sub, reason)
        .catch((e: unknown) =>
          deps.log.warn({ subscription: sub.id, err: e }, "could not tell the subscriber"),
        );
    }
    await deps.subscriptions.save(sub);
    throw error;
  }
}
