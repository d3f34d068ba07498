import { Cron } from "croner";

/** When a subscription's digest is due: a time of day on some weekdays, or a cron pattern, in an IANA time zone. */
export type Schedule =
  | { kind: "daily"; time: string; timezone: string; days: readonly number[] | null }
  | { kind: "cron"; cron: string; timezone: string };

const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Why a schedule is invalid, in words for the user, or null when it is valid. */
export function scheduleProblem(schedule: Schedule): string | null {
  try {
    new Intl.DateTimeFormat("en", { timeZone: schedule.timezone });
  } catch {
    return `"${schedule.timezone}" is not a time zone I know: use an IANA name such as Europe/Berlin or America/New_York.`;
  }
  if (schedule.kind === "daily" && !/^([01]?\d|2[0-3]):[0-5]\d$/.test(schedule.time)) {
    return `"${schedule.time}" is not a time of day: use 24-hour HH:MM, such as 08:00 or 17:30.`;
  }
  try {
    new Cron(toCron(schedule), { timezone: schedule.timezone, paused: true });
  } catch (error) {
    return `"${schedule.kind === "cron" ? schedule.cron : schedule.time}" is not a schedule I can follow (${(error as Error).message}).`;
  }
  return null;
}

/** Parse "mon,wed,fri" (or "weekdays", "weekends", "daily") into day numbers (0 = Sunday); null for every day. */
export function parseDays(text: string | null | undefined): number[] | null | { error: string } {
  if (!text || /^(daily|every ?day|all)$/i.test(text.trim())) return null;
  if (/^weekdays$/i.test(text.trim())) return [1, 2, 3, 4, 5];
  if (/^weekends?$/i.test(text.trim())) return [0, 6];
  const days = new Set<number>();
  for (const part of text
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const i = DAY_NAMES.indexOf(part.slice(0, 3));
    if (i < 0)
      return { error: `"${part}" is not a day: use mon, tue, wed, thu, fri, sat, sun, separated by commas.` };
    days.add(i);
  }
  return [...days].sort();
}

/** The cron pattern of a schedule (minute hour day-of-month month day-of-week). */
export function toCron(schedule: Schedule): string {
  if (schedule.kind === "cron") return schedule.cron.trim();
  const [h, m] = schedule.time.split(":").map(Number);
  return `${m} ${h} * * ${schedule.days && schedule.days.length > 0 ? schedule.days.join(",") : "*"}`;
}

/** The first time the digest is due strictly after `after` (DST and time zones handled by croner). */
export function nextRun(schedule: Schedule, after: Date): Date | null {
  return new Cron(toCron(schedule), { timezone: schedule.timezone, paused: true }).nextRun(after);
}

/** "08:00 Europe/Berlin, Mon Wed Fri" — a schedule in words. */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.kind === "cron") return `cron \`${schedule.cron}\` (${schedule.timezone})`;
  const days = schedule.days ? schedule.days.map((d) => DAY_NAMES[d]).join(" ") : "every day";
  return `${schedule.time} ${schedule.timezone}, ${days}`;
}

/** What a subscriber asked for, as typed (every field optional, as Discord delivers slash-command options). */
export interface ScheduleRequest {
  time: string | null;
  cron: string | null;
  timezone: string | null;
  days: string | null;
  topic: string | null;
}

/**
 * Turn what a subscriber typed into a schedule and a topic, or say what is wrong with it (the message ends with
 * what was not done, for the reply): a time or a cron pattern, known days, a valid time zone, a topic with words.
 */
export function readScheduleRequest(
  request: ScheduleRequest,
): { schedule: Schedule; topic: string | null } | { problem: string } {
  if (request.topic !== null && request.topic.trim() === "")
    return { problem: "The topic is empty: give a few words, or leave the option out for all articles." };
  if (!request.time && !request.cron)
    return { problem: "Give a `time` (such as 08:00) or a `cron` pattern." };
  const days = parseDays(request.days);
  if (days && !Array.isArray(days)) return { problem: days.error };
  const timezone = request.timezone ?? "UTC";
  const schedule: Schedule = request.cron
    ? { kind: "cron", cron: request.cron, timezone }
    : { kind: "daily", time: request.time ?? "", timezone, days: days as number[] | null };
  const problem = scheduleProblem(schedule);
  if (problem) return { problem: `${problem} Nothing was saved.` };
  return { schedule, topic: request.topic?.trim() ?? null };
}
