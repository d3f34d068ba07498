import type {
  APIActionRowComponent,
  APIButtonComponent,
  APIComponentInMessageActionRow,
  APIEmbed,
} from "discord.js";
import { ButtonStyle, ComponentType } from "discord.js";
import type { IndexStats } from "../index/store.js";
import { ageNote, citationLine, displayDate, quoteWithEllipses } from "../render/citation.js";
import type { Answer, Hit } from "../types.js";
import { escapeForDiscord, escapeLinkLabel, safeLinkTarget } from "./escape.js";
import { embedLength, LIMITS, trimToLimit } from "./limits.js";
import { relativeTime } from "./markup.js";

/** The custom id of the "Follow up" button under answers (routed to /ask's button handler, `openFollowUp`). */
export const FOLLOW_UP_BUTTON = "ask:followup";

/** A message body in Discord's JSON shape: mentions disabled, but for one role a digest subscriber opted into. */
export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIComponentInMessageActionRow>[];
  allowedMentions: { parse: []; roles?: string[] };
}

const BRAND_COLOR = 0x2b6cb0;
const NOTHING_COLOR = 0x718096;
const WARN_COLOR = 0xc05621;

function payload(
  embeds: APIEmbed[],
  components: MessagePayload["components"] = [],
  content?: string,
): MessagePayload {
  return {
    ...(content ? { content: trimToLimit(content, LIMITS.content) } : {}),
    // Every payload is checked against every limit once it is complete.
    embeds: embeds.slice(0, LIMITS.embedsPerMessage).map(fitEmbed),
    components,
    allowedMentions: { parse: [] },
  };
}

function linkButtons(links: { label: string; url: string }[]): MessagePayload["components"] {
  const buttons: APIButtonComponent[] = links
    .filter((l) => l.url.length <= LIMITS.buttonUrl && /^https?:\/\//.test(l.url))
    .slice(0, LIMITS.buttonsPerRow * LIMITS.rows)
    .map((l) => ({
      type: ComponentType.Button,
      style: ButtonStyle.Link,
      label: trimToLimit(l.label, LIMITS.buttonLabel),
      url: l.url,
    }));
  const rows: MessagePayload["components"] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return rows;
}

/**
 * Bring a finished embed within every one of Discord's limits (each part, then the 6,000-character total, by
 * shrinking the longest text first), so no payload is ever refused with a 400, whatever the articles hold.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = { ...embed };
  if (fitted.title !== undefined) fitted.title = trimToLimit(fitted.title, LIMITS.embedTitle);
  if (fitted.description !== undefined)
    fitted.description = trimToLimit(fitted.description, LIMITS.embedDescription);
  if (fitted.footer)
    fitted.footer = { ...fitted.footer, text: trimToLimit(fitted.footer.text, LIMITS.footer) };
  if (fitted.author)
    fitted.author = { ...fitted.author, name: trimToLimit(fitted.author.name, LIMITS.author) };
  if (fitted.fields)
    fitted.fields = fitted.fields.slice(0, LIMITS.fields).map((f) => ({
      ...f,
      name: trimToLimit(f.name, LIMITS.fieldName) || "\u200b",
      value: trimToLimit(f.value, LIMITS.fieldValue) || "\u200b",
    }));
  for (let over = embedLength(fitted as Parameters<typeof embedLength>[0]) - LIMITS.embedTotal; over > 0; ) {
    const fields = fitted.fields ?? [];
    const longest = fields.reduce(
      (best, f, i) => (f.value.length > (fields[best]?.value.length ?? 0) ? i : best),
      0,
    );
    const field = fields[longest];
    const description = fitted.description?.length ?? 0;
    if (field && field.value.length >= description) {
      field.value = trimToLimit(field.value, Math.max(1, field.value.length - over));
    } else if (fitted.description) {
      fitted.description = trimToLimit(fitted.description, Math.max(1, description - over));
    } else break;
    const now = embedLength(fitted as Parameters<typeof embedLength>[0]) - LIMITS.embedTotal;
    if (now >= over) break;
    over = now;
  }
  return fitted;
}

/** An answer as an embed: block-quoted quotes with [n] markers, sources as masked links, and link buttons. */
export function renderAnswer(
  answer: Answer,
  options: { feedbackId?: string; followUp?: boolean } = {},
): MessagePayload {
  const title = trimToLimit(
    answer.question.replace(/\s+/g, " ").trim() || "Your question",
    LIMITS.embedTitle,
  );
  if (answer.status === "nothing-relevant" || answer.quotes.length === 0) {
    return payload([
      {
        title: trimToLimit(escapeForDiscord(title), LIMITS.embedTitle),
        color: NOTHING_COLOR,
        description: trimToLimit(
          [
            "I found nothing in the corpus that answers this, so I won't quote anything.",
            answer.searchedFor
              ? `Searched for *${escapeForDiscord(trimToLimit(answer.searchedFor, 300))}*.`
              : "",
            answer.reason ? `*${escapeForDiscord(answer.reason)}*` : "",
            "Try different words (the ones an article would use), or `/search` to see what the corpus holds.",
          ]
            .filter(Boolean)
            .join("\n\n"),
          LIMITS.embedDescription,
        ),
      },
    ]);
  }

  const sources = answer.quotes.map((q, i) => {
    const label = escapeLinkLabel(`${citationLine(q.article)}${ageNote(q.article.publishedAt)}`);
    const target = safeLinkTarget(q.link) ?? safeLinkTarget(q.article.url);
    const line = target
      ? `**[${i + 1}]** [${label}](${target})`
      : `**[${i + 1}]** ${label} (${escapeForDiscord(q.article.source)})`;
    return trimToLimit(line, 600);
  });
  const searched = `${
    answer.searchedFor
      ? `Showing results for *${escapeForDiscord(trimToLimit(answer.searchedFor, 300))}*\n\n`
      : ""
  }${answer.note ? `*${escapeForDiscord(trimToLimit(answer.note, 300))}*\n\n` : ""}`;
  const prose = `${searched}${answer.prose ? `${escapeForDiscord(answer.prose)}\n\n` : ""}`;
  const sourcesBlock = `\n\n**Sources**\n${sources.join("\n")}`;
  // The quotes share what the prose and the sources leave of the description, each trimmed at a sentence end.
  const room = LIMITS.embedDescription - prose.length - sourcesBlock.length - 8 * answer.quotes.length;
  const perQuote = Math.max(80, Math.floor(room / answer.quotes.length));
  const quotes = answer.quotes.map((q, i) => {
    const body = trimToLimit(escapeForDiscord(quoteWithEllipses(q)), perQuote).replace(/\n/g, "\n> ");
    return `> ${body} **[${i + 1}]**`;
  });
  const description = trimToLimit(`${prose}${quotes.join("\n\n")}${sourcesBlock}`, LIMITS.embedDescription);
  const footer =
    answer.status === "degraded"
      ? `⚠ ${answer.reason ?? "Degraded answer"}`
      : "Quoted word for word from the sources · the links open each article at the quote";
  const embed = fitEmbed({
    title: trimToLimit(escapeForDiscord(title), LIMITS.embedTitle),
    color: answer.status === "degraded" ? WARN_COLOR : BRAND_COLOR,
    description,
    footer: { text: trimToLimit(footer, LIMITS.footer) },
  });
  const buttons = answer.quotes
    .map((q, i) => ({
      label: `[${i + 1}] ${q.article.site ?? q.article.title}`,
      url: safeLinkTarget(q.link) ?? safeLinkTarget(q.article.url) ?? "",
    }))
    .filter((b) => b.url);
  const rows = linkButtons(buttons);
  // "Follow up", and 👍 / 👎 unless the server turned them off (then no id is given), share one row.
  const actions: APIComponentInMessageActionRow[] = [
    ...(options.followUp
      ? [
          {
            type: ComponentType.Button as const,
            style: ButtonStyle.Primary as const,
            label: "Follow up",
            custom_id: FOLLOW_UP_BUTTON,
          },
        ]
      : []),
    ...(options.feedbackId
      ? (["up", "down"] as const).map((vote) => ({
          type: ComponentType.Button as const,
          style: ButtonStyle.Secondary as const,
          label: vote === "up" ? "👍 Helpful" : "👎 Not helpful",
          custom_id: `feedback:${vote}:${options.feedbackId}`,
        }))
      : []),
  ];
  if (actions.length > 0 && rows.length < LIMITS.rows)
    rows.push({ type: ComponentType.ActionRow, components: actions });
  return payload([embed], rows);
}

/** Passages a page holds in /search. */
export const SEARCH_PAGE_SIZE = 5;

/** One page of /search results, with Previous/Next buttons whose ids carry the session and the page. */
export function renderSearchPage(
  query: string,
  hits: Hit[],
  page: number,
  sessionId: string,
  /** What the search was limited to, in words ("dated since 1 November 2026 · from Health Wire"). */
  scope = "",
): MessagePayload {
  const pages = Math.max(1, Math.ceil(hits.length / SEARCH_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = hits.slice(current * SEARCH_PAGE_SIZE, (current + 1) * SEARCH_PAGE_SIZE);
  const title = trimToLimit(`Search: ${query.replace(/\s+/g, " ").trim()}`, LIMITS.embedTitle);
  if (hits.length === 0) {
    return payload([
      {
        title: escapeForDiscord(title).slice(0, LIMITS.embedTitle),
        color: NOTHING_COLOR,
        description: `No passage${scope ? ` ${escapeForDiscord(scope)}` : ""} matches those words. Try fewer or different words.`,
      },
    ]);
  }
  const footer = trimToLimit(
    `Page ${current + 1} of ${pages} · ${hits.length} passage(s)${scope ? ` · ${scope}` : ""}`,
    LIMITS.footer,
  );
  const names = shown.map((h, i) =>
    trimToLimit(
      `${current * SEARCH_PAGE_SIZE + i + 1}. ${escapeForDiscord(citationLine(h.article))}`,
      LIMITS.fieldName,
    ),
  );
  // Each passage gets an equal share of what the title, the footer and the names leave of the embed's total.
  const left = LIMITS.embedTotal - title.length - footer.length - names.reduce((n, x) => n + x.length, 0);
  const share = Math.min(LIMITS.fieldValue, Math.floor(left / Math.max(1, shown.length)));
  const fields = shown.map((h, i) => {
    const target = safeLinkTarget(h.article.url);
    // A link that would leave the passage too little room is left to the article's title.
    const link = target && target.length + 20 <= share / 2 ? `\n[Open the article](${target})` : "";
    const value = `${trimToLimit(escapeForDiscord(h.passage.text), share - link.length)}${link}`;
    return { name: names[i] ?? "", value };
  });
  const embed = fitEmbed({
    title: trimToLimit(escapeForDiscord(title), LIMITS.embedTitle),
    color: BRAND_COLOR,
    fields,
    footer: { text: footer },
  });
  const nav: MessagePayload["components"] =
    pages > 1
      ? [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.Button,
                style: ButtonStyle.Secondary,
                label: "Previous",
                custom_id: `search:${sessionId}:${current - 1}`,
                disabled: current === 0,
              },
              {
                type: ComponentType.Button,
                style: ButtonStyle.Secondary,
                label: "Next",
                custom_id: `search:${sessionId}:${current + 1}`,
                disabled: current >= pages - 1,
              },
            ],
          },
        ]
      : [];
  return payload([embed], nav);
}

/** /help: the commands and what the corpus holds. */
export function renderHelp(stats: IndexStats): MessagePayload {
  const newest = stats.newest
    ? `${escapeForDiscord(stats.newest.title)}${stats.newest.publishedAt ? ` (${displayDate(stats.newest.publishedAt)})` : ""}`
    : "—";
  const lastIngest = stats.lastIngestAt ? relativeTime(stats.lastIngestAt) : "never";
  return payload([
    {
      title: "Verbatim: answers quoted word for word",
      color: BRAND_COLOR,
      description: [
        "I answer questions about a corpus of news articles by quoting the passages that answer them, word for word, each with a link that opens the article at the quote. When nothing answers a question, I say so and quote nothing.",
        "",
        "**/ask** `question` — an answer made of verbatim quotes (`private: true` shows it only to you)",
        "**/search** `query` — the matching passages, five a page",
        "**/help** — this message",
        "",
        "You can also send me a direct message, or mention me in a channel with your question.",
      ].join("\n"),
      fields: [
        { name: "Articles", value: String(stats.articles), inline: true },
        { name: "Passages", value: String(stats.passages), inline: true },
        { name: "Last ingest", value: lastIngest, inline: true },
        { name: "Newest article", value: trimToLimit(newest, LIMITS.fieldValue) },
      ],
    },
  ]);
}

/** A short plain message (errors, refusals, cooldowns). */
export function renderNotice(text: string): MessagePayload {
  return payload([], [], text);
}
