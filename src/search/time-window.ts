// The English locale only: the full package loads every language (about 6 MB more of memory).
import * as chrono from "chrono-node/en";

/** A span of days an answer's articles must be dated in: `[from, to)`, as YYYY-MM-DD (UTC). */
export interface DayWindow {
  from: string;
  to: string;
  /** The span in words, for the answer ("last week (16–22 November 2026)"). */
  label: string;
}

/** What a question says about time: a window, a wish for the newest, and the question without those words. */
export interface TimeReading {
  window: DayWindow | null;
  /** "latest", "most recent", "currently"…: prefer newer articles among those that answer. */
  recency: boolean;
  /** The question with its time words taken out (they are not what an article is about). */
  rest: string;
  /**
   * The question without the words that only say when relative to now ("last week", "yesterday", "latest"), but
   * with absolute dates kept: "in 2005" or "on 17 July 1505" are often words of the answering sentence itself.
   */
  searchable: string;
}

const DAY = 86_400_000;
const MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december";
const MONTH = `(?:${MONTHS}|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\\.?`;
const RECENCY =
  /\b(?:the\s+)?(?:latest|most\s+recent(?:ly)?|newest|recent(?:ly)?|currently|lately|right\s+now)\b/gi;

const day = (d: Date) => d.toISOString().slice(0, 10);
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY);
const monthStart = (y: number, m: number) => new Date(Date.UTC(y, m, 1));
const fmt = (d: Date) =>
  d.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
const monthYear = (d: Date) =>
  d.toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
// Built once: every question is read against them.
const DAY_OF_MONTH = new RegExp(
  `\\b(?:on\\s+)?(?:${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH})(?:,?\\s+\\d{4})?\\b`,
  "i",
);
const MONTH_OF_YEAR = new RegExp(`\\b(?:in\\s+|during\\s+)?(${MONTH})\\s+(\\d{4})\\b`, "i");
/** "16–22 November 2026" for [from, to). */
function span(from: Date, to: Date): string {
  const last = addDays(to, -1);
  if (day(from) === day(last)) return fmt(from);
  return `${fmt(from)} – ${fmt(last)}`;
}

/**
 * The wall-clock time in `timeZone` at `instant`, as a Date whose UTC fields read that time: days and weeks are
 * then counted in the asker's calendar ("yesterday" at 01:00 in Tokyo is a different day than in UTC).
 */
export function wallClock(instant: Date, timeZone?: string | null): Date {
  if (!timeZone || timeZone === "UTC") return instant;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return new Date(
    Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour,
      parts.minute,
      parts.second,
    ),
  );
}

/** The canonical IANA name of a time zone people typed ("europe/paris", "UTC"), or null when there is none. */
export function canonicalTimeZone(name: string): string | null {
  const typed = name.trim();
  if (!typed || typed.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: typed }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** A date a phrase names, in the past of `asOf` (chrono reads "March 3" or "Monday" forwards; people mean the last one). */
function pastDate(text: string, asOf: Date): { date: Date; dayKnown: boolean } | null {
  // Read in UTC whatever the machine's zone: `asOf` already carries the asker's wall clock (see `wallClock`).
  const [result] = chrono.parse(text, { instant: asOf, timezone: 0 }, { forwardDate: false });
  if (!result) return null;
  let date = utcDay(result.start.date());
  const yearKnown = result.start.isCertain("year");
  const weekday = result.start.isCertain("weekday") && !result.start.isCertain("day");
  if (date > asOf) {
    if (weekday) date = addDays(date, -7);
    else if (!yearKnown)
      date = new Date(Date.UTC(date.getUTCFullYear() - 1, date.getUTCMonth(), date.getUTCDate()));
  }
  return {
    date,
    dayKnown: result.start.isCertain("day") || weekday || result.start.isCertain("weekday"),
  };
}

type Rule = {
  pattern: RegExp;
  window: (m: RegExpMatchArray, today: Date) => DayWindow | null;
  /** Dates named outright (a year, a month and year, a day) are also words an article may use. */
  absolute?: boolean;
};

/** The phrases of time a question may carry, tried in order; the first that yields a window wins. */
function rules(today: Date): Rule[] {
  const tomorrow = addDays(today, 1);
  const monday = addDays(today, -((today.getUTCDay() + 6) % 7));
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const w = (from: Date, to: Date, what: string): DayWindow => ({
    from: day(from),
    to: day(to),
    label: `${what} (${span(from, to)})`,
  });
  const units: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };
  return [
    {
      pattern: /\bbetween\s+(.{1,40}?)\s+and\s+(.{1,40}?)(?=[?.!,;]|$)/i,
      window: (match) => {
        const end = pastDate(match[2] ?? "", today);
        if (!end) return null;
        // "between 1 and 5 November": the first date borrows the second's month and year.
        const firstText = /^\d{1,2}$/.test((match[1] ?? "").trim())
          ? `${match[1]} ${monthYear(end.date)}`
          : (match[1] ?? "");
        const start = pastDate(firstText, end.date) ?? pastDate(firstText, today);
        if (!start) return null;
        const to = addDays(end.date, 1);
        return {
          from: day(start.date),
          to: day(to),
          label: `between ${fmt(start.date)} and ${fmt(end.date)}`,
        };
      },
    },
    {
      pattern: /\bsince\s+(.{1,40}?)(?=[?.!,;]|$)/i,
      window: (match) => {
        const text = match[1] ?? "";
        const year = /^(\d{4})$/.exec(text.trim());
        const start = year ? { date: monthStart(Number(year[1]), 0) } : pastDate(text, today);
        if (!start || start.date > today) return null;
        return { from: day(start.date), to: day(tomorrow), label: `since ${fmt(start.date)}` };
      },
    },
    { pattern: /\btoday\b/i, window: () => w(today, tomorrow, "today") },
    { pattern: /\byesterday\b/i, window: () => w(addDays(today, -1), today, "yesterday") },
    { pattern: /\bthis\s+week\b/i, window: () => w(monday, tomorrow, "this week") },
    { pattern: /\blast\s+week\b/i, window: () => w(addDays(monday, -7), monday, "last week") },
    { pattern: /\bthis\s+month\b/i, window: () => w(monthStart(y, m), tomorrow, "this month") },
    { pattern: /\blast\s+month\b/i, window: () => w(monthStart(y, m - 1), monthStart(y, m), "last month") },
    { pattern: /\bthis\s+year\b/i, window: () => w(monthStart(y, 0), tomorrow, "this year") },
    { pattern: /\blast\s+year\b/i, window: () => w(monthStart(y - 1, 0), monthStart(y, 0), "last year") },
    {
      pattern:
        /\b(?:in\s+the\s+|over\s+the\s+|during\s+the\s+)?(?:past|last)\s+(\d{1,3}|two|three|four|five|six|seven|ten)\s+(day|week|month|year)s?\b/i,
      window: (match) => {
        const words: Record<string, number> = {
          two: 2,
          three: 3,
          four: 4,
          five: 5,
          six: 6,
          seven: 7,
          ten: 10,
        };
        const n = Number(match[1]) || words[(match[1] ?? "").toLowerCase()] || 1;
        const unit = (match[2] ?? "day").toLowerCase();
        return w(addDays(tomorrow, -n * (units[unit] ?? 1)), tomorrow, `the past ${n} ${unit}s`);
      },
    },
    {
      pattern: DAY_OF_MONTH,
      absolute: true,
      window: (match) => {
        const found = pastDate(match[0], today);
        if (!found?.dayKnown) return null;
        return { from: day(found.date), to: day(addDays(found.date, 1)), label: `on ${fmt(found.date)}` };
      },
    },
    {
      pattern: MONTH_OF_YEAR,
      absolute: true,
      window: (match) => {
        const found = pastDate(`${match[1]} ${match[2]}`, today);
        if (!found) return null;
        const from = monthStart(found.date.getUTCFullYear(), found.date.getUTCMonth());
        const to = monthStart(found.date.getUTCFullYear(), found.date.getUTCMonth() + 1);
        return {
          from: day(from),
          to: day(to),
          label: `in ${monthYear(from)}`,
        };
      },
    },
    {
      // A year on its own only with a preposition: "in 2021", not "the 2020 election" or "Super Bowl 2020".
      pattern: /\b(?:in|during|throughout)\s+((?:19|20)\d{2})\b/i,
      absolute: true,
      window: (match) => {
        const year = Number(match[1]);
        if (year > y) return null;
        return { from: `${year}-01-01`, to: `${year + 1}-01-01`, label: `in ${year}` };
      },
    },
  ];
}

/**
 * Read the time a question names, against the moment it is asked (UTC days): "last week", "in March 2023", "since
 * Monday", "between 1 and 5 November", "yesterday", "in 2021" become a window on the article's date; "latest",
 * "recent", "currently" ask for the newest among relevant articles. Those words leave the search terms. Days are
 * the asker's: counted in `timeZone` (a server's `/settings timezone`; UTC when absent).
 */
export function readTime(question: string, asOf: Date, timeZone?: string | null): TimeReading {
  const today = utcDay(wallClock(asOf, timeZone));
  let rest = question;
  let searchable = question;
  let window: DayWindow | null = null;
  for (const rule of rules(today)) {
    const match = rest.match(rule.pattern);
    if (!match) continue;
    const found = rule.window(match, today);
    if (!found) continue;
    window = found;
    rest = rest.replace(match[0], " ");
    if (!rule.absolute) searchable = searchable.replace(match[0], " ");
    break;
  }
  const recency = RECENCY.test(rest);
  RECENCY.lastIndex = 0;
  const tidy = (text: string) => text.replace(RECENCY, " ").replace(/\s+/g, " ").trim();
  return { window, recency, rest: tidy(rest), searchable: tidy(searchable) };
}

/**
 * Read a few dated phrases once, so chrono's one-time set-up (up to a quarter of a second, measured) is paid when a
 * serving process starts, not by the first person whose question names a date.
 */
export function warmUpTimeReading(): void {
  const now = new Date();
  for (const phrase of [
    "news between 1 and 5 November and which other country?",
    "announced December 14 as the date",
    "rose in July 2020 since Monday",
  ])
    for (let i = 0; i < 3; i++) readTime(phrase, now);
}

/**
 * A window from explicit `since` / `until` values (a slash command's options, the CLI's flags): dates such as
 * 2026-11-01, "1 November" or "last Monday", both ends included. Says what it could not read.
 */
export function windowFromOptions(
  since: string | null | undefined,
  until: string | null | undefined,
  asOf: Date,
  timeZone?: string | null,
): { window: DayWindow | null } | { problem: string } {
  if (!since && !until) return { window: null };
  const today = utcDay(wallClock(asOf, timeZone));
  const read = (text: string) => {
    const iso = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? new Date(`${text.trim()}T00:00:00Z`) : null;
    return iso && !Number.isNaN(iso.getTime()) ? iso : (pastDate(text, today)?.date ?? null);
  };
  const from = since ? read(since) : new Date(Date.UTC(1970, 0, 1));
  if (!from)
    return { problem: `"${since}" is not a date I can read: write it as 2026-11-01 or "1 November".` };
  const last = until ? read(until) : today;
  if (!last)
    return { problem: `"${until}" is not a date I can read: write it as 2026-11-05 or "5 November".` };
  if (last < from) return { problem: "`until` comes before `since`: swap them." };
  const label =
    since && until
      ? `between ${fmt(from)} and ${fmt(last)}`
      : since
        ? `since ${fmt(from)}`
        : `until ${fmt(last)}`;
  return { window: { from: day(from), to: day(addDays(last, 1)), label } };
}
