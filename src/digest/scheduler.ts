import { type DeliveryDeps, type RunOutcome, runSubscription } from "./delivery.js";
import { nextRun } from "./schedule.js";
import type { Subscription } from "./subscriptions.js";

/** When a subscription next runs: its retry time after a failure, else the schedule's first slot after its last run. */
export function dueAt(sub: Subscription): Date | null {
  if (sub.paused) return null;
  if (sub.pending) return new Date(0);
  if (sub.retryAt) return new Date(sub.retryAt);
  return nextRun(sub.schedule, new Date(sub.lastRunAt));
}

/**
 * Runs due digests. Time comes from `clock`, so tests move it instead of waiting. A digest that came due while the bot
 * was down runs once, covering the whole gap; one subscription never runs twice at the same time.
 */
export class DigestScheduler {
  private readonly running = new Map<string, Promise<RunOutcome | null>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly clock: () => Date = () => new Date(),
    /** Whether this process delivers scheduled digests now (it holds the delivery lease); default always. */
    private readonly mayRun: () => boolean = () => true,
  ) {}

  /** Run one subscription now unless it is already running; resolves with what it did. */
  run(sub: Subscription): Promise<RunOutcome | null> {
    const existing = this.running.get(sub.id);
    if (existing) return existing;
    const now = this.clock();
    const work = (async () => {
      // The slot is consumed before the run, so a slow or failing run never repeats for the same slot.
      const fresh = (await this.deps.subscriptions.get(sub.id)) ?? sub;
      if (!fresh.pending && !fresh.retryAt) {
        fresh.lastRunAt = now.toISOString();
        await this.deps.subscriptions.save(fresh);
      }
      try {
        return await runSubscription(this.deps, fresh, now);
      } catch {
        return null;
      }
    })().finally(() => this.running.delete(sub.id));
    this.running.set(sub.id, work);
    return work;
  }

  /** Run every subscription that is due; returns their ids. */
  async tick(): Promise<string[]> {
    const now = this.clock();
    const due = (await this.deps.subscriptions.all()).filter((s) => {
      const at = dueAt(s);
      return at !== null && at.getTime() <= now.getTime();
    });
    await Promise.all(due.map((s) => this.run(s)));
    return due.map((s) => s.id);
  }

  /** Tick now and then at least once a minute (sooner when a digest is due sooner). */
  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      // With several processes (the bot, `npm run worker`), only the holder of the delivery lease runs the schedule.
      if (this.mayRun())
        await this.tick().catch((err: unknown) => this.deps.log.error({ err }, "digest tick failed"));
      const subs = await this.deps.subscriptions.all().catch(() => []);
      const next = Math.min(
        60_000,
        ...subs.map((s) => (dueAt(s)?.getTime() ?? Number.POSITIVE_INFINITY) - Date.now()),
      );
      if (!this.stopped) this.timer = setTimeout(loop, Math.max(1000, next)).unref();
    };
    void loop();
  }

  /** Stop ticking and wait for runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }
}
