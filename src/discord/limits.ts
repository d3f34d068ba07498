/** Discord's message and embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedTotal: 6000,
  fieldName: 256,
  fieldValue: 1024,
  fields: 25,
  footer: 2048,
  author: 256,
  embedsPerMessage: 10,
  buttonsPerRow: 5,
  rows: 5,
  buttonLabel: 80,
  buttonUrl: 512,
  customId: 100,
} as const;

/**
 * Shorten text to at most `max` characters, cutting at the last sentence end (else word) that fits, with an ellipsis.
 * Never fails: text within the limit is returned as it is.
 */
export function trimToLimit(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "…".slice(0, max);
  const room = text.slice(0, max - 1);
  const sentenceEnd = Math.max(
    room.lastIndexOf(". "),
    room.lastIndexOf("! "),
    room.lastIndexOf("? "),
    room.lastIndexOf(".\n"),
  );
  if (sentenceEnd > max * 0.5) return `${room.slice(0, sentenceEnd + 1)} …`.slice(0, max);
  const space = room.lastIndexOf(" ");
  const cut = space > max * 0.5 ? room.slice(0, space) : room;
  // Never leave a dangling escape backslash or half a surrogate pair.
  return `${cut.replace(/\\+$/, "").replace(/[\ud800-\udbff]$/, "")}…`;
}

/** Characters an embed counts towards the 6000 total. */
export function embedLength(embed: {
  title?: string;
  description?: string;
  footer?: { text: string };
  author?: { name: string };
  fields?: { name: string; value: string }[];
}): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}
