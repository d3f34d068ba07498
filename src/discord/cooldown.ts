import type Keyv from "keyv";

/** The outcome of a cooldown check. */
export interface CooldownResult {
  allowed: boolean;
  /** Seconds until the next question is allowed (0 when allowed). */
  retryAfter: number;
}

/**
 * A sliding-window rate limit per user: at most `limit` questions in `windowSeconds`, kept in Keyv
 * so that it holds across restarts and, with Redis, across processes.
 */
export function createCooldown(store: Keyv, limit: number, windowSeconds: number) {
  const windowMs = windowSeconds * 1000;
  // Questions from one user are checked one after another, or a burst would all read the same old count.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  };
  return {
    /** Record a question by `userId` if allowed. */
    take(userId: string, now?: number): Promise<CooldownResult> {
      return serial(userId, () => check(userId, now ?? Date.now()));
    },
  };

  async function check(userId: string, now: number): Promise<CooldownResult> {
    const recent = ((await store.get<number[]>(userId)) ?? []).filter((t) => t > now - windowMs);
    if (recent.length >= limit) {
      const oldest = Math.min(...recent);
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    recent.push(now);
    await store.set(userId, recent, windowMs);
    return { allowed: true, retryAfter: 0 };
  }
}

export type Cooldown = ReturnType<typeof createCooldown>;
