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
  return (
    escaped
      // discord.js escapes only the first "[" of a line: every other bracket could still open a live masked link.
      // An even run of backslashes before a bracket escapes only themselves: the bracket still needs its own.
      .replace(/(\\*)([[\]])/g, (_m, slashes: string, c: string) =>
        slashes.length % 2 === 0 ? `${slashes}\\${c}` : `${slashes}${c}`,
      )
      .replace(/@(everyone|here)/gi, "@\u200b$1")
      .replace(/<(@[!&]?|#)(\d+)>/g, "<\\$1$2>")
      .replace(/^>/gm, "\\>")
  );
}

/** Text for a masked link's label: brackets would end it early (escapeForDiscord escapes them all). */
export function escapeLinkLabel(text: string): string {
  return escapeForDiscord(text);
}

/**
 * A link target that cannot break out of `[label](…)`: only http(s) URLs that parse, re-serialised, with the
 * characters Markdown reads as link syntax percent-encoded. Null for anything else.
 */
export function safeLinkTarget(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.href.replace(
    /[()[\]<>\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}
