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
  return {
    /** Record a question by `userId` if allowed. */
    async take(userId: string, now = Date.now()): Promise<CooldownResult> {
      const recent = ((await store.get<number[]>(userId)) ?? []).filter((t) => t > now - windowMs);
      if (recent.length >= limit) {
        const oldest = Math.min(...recent);
        return { allowed: false, retryAfter: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
      }
      recent.push(now);
      await store.set(userId, recent, windowMs);
      return { allowed: true, retryAfter: 0 };
    },
  };
}

export type Cooldown = ReturnType<typeof createCooldown>;
