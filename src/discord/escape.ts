import { escapeMarkdown } from "discord.js";

/**
 * Article text made inert for Discord: Markdown cannot break the formatting and mentions render as plain text.
 * (`allowedMentions: { parse: [] }` already stops pings; this also stops `<@id>` from rendering as a mention.)
 */
export function escapeForDiscord(text: string): string {
  const escaped = escapeMarkdown(text, {
    codeBlock: true,
    inlineCode: true,
    bold: true,
    italic: true,
    underline: true,
    strikethrough: true,
    spoiler: true,
    codeBlockContent: true,
    inlineCodeContent: true,
    escape: true,
    heading: true,
    bulletedList: true,
    numberedList: true,
    maskedLink: true,
  });
  return escaped
    .replace(/@(everyone|here)/gi, "@\u200b$1")
    .replace(/<(@[!&]?|#)(\d+)>/g, "<\\$1$2>")
    .replace(/^>/gm, "\\>");
}

/** Text for a masked link's label: brackets would end it early. */
export function escapeLinkLabel(text: string): string {
  return escapeForDiscord(text).replace(/[[\]]/g, (c) => `\\${c}`);
}
