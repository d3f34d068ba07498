import { windowFromOptions } from "../search/time-window.js";
import { createFeedbackStore } from "../state/feedback.js";
import type { BotDeps } from "./command.js";
import { type MessagePayload, renderAnswer, renderNotice } from "./render.js";

/** Longest question the bot answers; longer ones are refused politely. */
export const MAX_DISCORD_QUESTION = 1000;

/** Answer a question from any Discord door (slash command, DM, mention) as a message payload. */
export async function answerForDiscord(
  deps: BotDeps,
  question: string,
  guildId: string | null = null,
  dates: {
    since?: string | null;
    until?: string | null;
    source?: string | null;
    context?: string | null;
  } = {},
): Promise<MessagePayload> {
  const text = question.trim();
  if (text.length > MAX_DISCORD_QUESTION) {
    return renderNotice(
      `That question is ${text.length.toLocaleString("en")} characters long; please ask in under ${MAX_DISCORD_QUESTION.toLocaleString("en")} characters.`,
    );
  }
  if (text.length === 0)
    return renderNotice(
      "Ask me a question about the news, for example: *what did the vice minister say about wastewater?*",
    );
  const asOf = deps.digests.clock();
  const chosen = windowFromOptions(dates.since, dates.until, asOf);
  if ("problem" in chosen) return renderNotice(chosen.problem);
  const answer = await deps.answerer.answer(text, {
    guildId,
    asOf,
    ...(chosen.window ? { window: chosen.window } : {}),
    ...(dates.source?.trim() ? { source: dates.source.trim() } : {}),
    ...(dates.context ? { context: dates.context } : {}),
  });
  // An answer that quotes something can be voted on; what was shown is kept with the vote.
  const feedback = createFeedbackStore(deps.state.ns("feedback"));
  const server = guildId ?? "dm";
  const votable = answer.quotes.length > 0 && !(await feedback.disabled(server));
  const feedbackId = votable
    ? await feedback.remember({
        guildId: server,
        question: answer.question,
        quotes: answer.quotes.map((q) => ({ text: q.text, title: q.article.title, url: q.article.url })),
        indexVersion: deps.corpus.store.version(),
      })
    : undefined;
  return renderAnswer(answer, feedbackId ? { feedbackId } : {});
}

/** Keys of the questions that answers (by message id) were given to, so a reply can follow one up. */
const askedKey = (messageId: string) => `asked:${messageId}`;

/** Remember the question an answer message answered (with the topic it carried), for replies to follow up. */
export async function rememberQuestion(deps: BotDeps, messageId: string, question: string): Promise<void> {
  await deps.state
    .ns("sessions")
    .set(askedKey(messageId), question.slice(0, 500), deps.config.followUpMinutes * 60_000);
}

/** The question an answer message answered, when a reply to it may still follow it up. */
export async function questionAnswered(deps: BotDeps, messageId: string | undefined): Promise<string | null> {
  if (!messageId) return null;
  return (await deps.state.ns("sessions").get<string>(askedKey(messageId))) ?? null;
}
