import { randomBytes } from "node:crypto";
import type Keyv from "keyv";

/** An answer as it was shown, kept so that a vote on it can say what was voted on. */
export interface ShownAnswer {
  id: string;
  /** The server, or "dm". */
  guildId: string;
  question: string;
  quotes: { text: string; title: string; url: string | null }[];
  indexVersion: number;
  at: string;
}

/** One person's vote on one answer, with what the answer was. */
export interface Vote {
  answer: ShownAnswer;
  userId: string;
  vote: "up" | "down";
  /** What was wrong, when the person said (an optional line after 👎). */
  comment: string | null;
  at: string;
}

/** What `/feedback report` shows: counts, and the answers voted down most, newest first. */
export interface FeedbackReport {
  up: number;
  down: number;
  worst: { answer: ShownAnswer; down: number; up: number; comments: string[] }[];
}

/** How long an answer can still be voted on. */
const ANSWER_TTL_MS = 30 * 86_400_000;

/** Votes and the answers they are about, in a Keyv namespace (any state backend). */
export function createFeedbackStore(kv: Keyv) {
  const voteKey = (answer: ShownAnswer, userId: string) => `vote:${answer.guildId}:${answer.id}:${userId}`;
  async function* votes(): AsyncGenerator<Vote> {
    if (!kv.iterator) return;
    for await (const [key, value] of kv.iterator(undefined)) {
      if (String(key).startsWith("vote:")) yield value as Vote;
    }
  }
  return {
    /** Keep an answer that is about to be shown with vote buttons; returns its id for the buttons. */
    async remember(answer: Omit<ShownAnswer, "id" | "at">, now = new Date()): Promise<string> {
      const id = randomBytes(6).toString("hex");
      await kv.set(`answer:${id}`, { ...answer, id, at: now.toISOString() }, ANSWER_TTL_MS);
      return id;
    },
    /** Record (or change) a person's vote; null when the answer is too old to vote on. */
    async vote(
      answerId: string,
      userId: string,
      vote: "up" | "down",
      now = new Date(),
    ): Promise<Vote | null> {
      const answer = await kv.get<ShownAnswer>(`answer:${answerId}`);
      if (!answer) return null;
      const previous = await kv.get<Vote>(voteKey(answer, userId));
      const record: Vote = {
        answer,
        userId,
        vote,
        comment: vote === "down" ? (previous?.comment ?? null) : null,
        at: now.toISOString(),
      };
      await kv.set(voteKey(answer, userId), record);
      return record;
    },
    /** Add what was wrong to a person's vote down. */
    async comment(answerId: string, userId: string, text: string): Promise<boolean> {
      const answer = await kv.get<ShownAnswer>(`answer:${answerId}`);
      if (!answer) return false;
      const previous = await kv.get<Vote>(voteKey(answer, userId));
      if (!previous) return false;
      await kv.set(voteKey(answer, userId), { ...previous, comment: text.trim().slice(0, 500) || null });
      return true;
    },
    /** Counts for a server, and its answers voted down most (at most `limit`). */
    async report(guildId: string, limit = 5): Promise<FeedbackReport> {
      const byAnswer = new Map<
        string,
        { answer: ShownAnswer; down: number; up: number; comments: string[] }
      >();
      let up = 0;
      let down = 0;
      for await (const v of votes()) {
        if (v.answer.guildId !== guildId) continue;
        if (v.vote === "up") up++;
        else down++;
        const entry = byAnswer.get(v.answer.id) ?? { answer: v.answer, down: 0, up: 0, comments: [] };
        entry[v.vote]++;
        if (v.comment) entry.comments.push(v.comment);
        byAnswer.set(v.answer.id, entry);
      }
      const worst = [...byAnswer.values()]
        .filter((e) => e.down > 0)
        .sort((a, b) => b.down - b.up - (a.down - a.up) || b.answer.at.localeCompare(a.answer.at))
        .slice(0, limit);
      return { up, down, worst };
    },
    /** Every vote, oldest first (`npm run feedback -- --json`, to turn into evaluation questions). */
    async all(): Promise<Vote[]> {
      const list: Vote[] = [];
      for await (const v of votes()) list.push(v);
      return list.sort((a, b) => a.at.localeCompare(b.at));
    },
    /** Whether a server has turned the vote buttons off. */
    async disabled(guildId: string): Promise<boolean> {
      return (await kv.get<boolean>(`off:${guildId}`)) === true;
    },
    async setDisabled(guildId: string, off: boolean): Promise<void> {
      if (off) await kv.set(`off:${guildId}`, true);
      else await kv.delete(`off:${guildId}`);
    },
  };
}

export type FeedbackStore = ReturnType<typeof createFeedbackStore>;
