import { channelMention, TimestampStyles, time } from "discord.js";

/** A moment as Discord shows it in each reader's own time zone, relative ("3 hours ago"); "never" when absent. */
export function relativeTime(when: string | Date | null | undefined, absent = "never"): string {
  const date = typeof when === "string" ? new Date(when) : when;
  return date && !Number.isNaN(date.getTime()) ? time(date, TimestampStyles.RelativeTime) : absent;
}

/** A moment as Discord shows it in each reader's own time zone, in full ("Friday, 27 November 2026 09:00"). */
export function fullTime(when: Date | null | undefined, absent = "—"): string {
  return when && !Number.isNaN(when.getTime()) ? time(when, TimestampStyles.LongDateTime) : absent;
}

export { channelMention };
