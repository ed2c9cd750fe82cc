/**
 * A venue's opening hours: weekly intervals on the venue's wall clock, nights past midnight, and exceptions by
 * date (closed, or other hours). Pure: the instants come from the runtime's time-zone helper, nothing else.
 *
 * Open means the venue's local wall clock is inside an interval of the day it opened on (a night 22:00–03:00 opened
 * on Friday still counts at 01:00 on Saturday). That is also how search decides `openNow` in SQL (`openNowSql` in
 * src/search-sql.ts), which test/opening-hours-sql.test.ts holds to this file. An interval is wall-clock time: on
 * the spring change a night 01:00–05:00 lasts an hour less, on the autumn change an hour more.
 */
import { badInput, localTime, parseCalendarDay, zonedToUtc } from '@eventgraph/runtime';

/** as access's Weekday (RFC 5545's two letters): one enum across the API */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const DAY_MINUTES = 1440;
/** intervals a venue may have in a week, and on one exceptional date */
export const MAX_WEEKLY_INTERVALS = 28;
export const MAX_DATE_INTERVALS = 4;
/** exceptions a venue may list at once (a year of dates) */
export const MAX_EXCEPTIONS = 366;
/** how far ahead the next opening or closing is looked for */
const LOOKAHEAD_DAYS = 60;

/** An interval as stored: minutes from the local midnight of the day it opens; `closes` past 1440 is the next day. */
export interface Interval {
  opens: number;
  closes: number;
}
export interface WeeklyInterval extends Interval {
  /** ISO weekday: 1 Monday … 7 Sunday */
  weekday: number;
}
export interface DateException {
  /** YYYY-MM-DD, the venue's local date */
  date: string;
  /** the date's intervals; none: closed all day */
  intervals: Interval[];
  note: string | null;
}
export interface OpeningHours {
  weekly: WeeklyInterval[];
  exceptions: DateException[];
}

export interface OpeningHoursInput {
  weekly?: readonly { weekday: Weekday; opens: string; closes: string }[] | null;
  exceptions?:
    | readonly {
        date: string;
        closed?: boolean | null;
        intervals?: readonly { opens: string; closes: string }[] | null;
        note?: string | null;
      }[]
    | null;
}

const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** "HH:MM" as minutes; 24:00 only where `allowMidnight` (a closing time). */
function minutesOf(field: string, value: string, allowMidnight: boolean): number {
  const match = TIME.exec(value);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || minutes > DAY_MINUTES || (minutes === DAY_MINUTES && !allowMidnight)) {
    throw badInput(field, `"${value}" is not a time of day HH:MM (00:00 to 23:59${allowMidnight ? ', or 24:00' : ''})`);
  }
  return minutes;
}

/** opens/closes as an interval: a closing time not after the opening is on the next day (at most 24 hours in all). */
function intervalOf(field: string, value: { opens: string; closes: string }): Interval {
  const opens = minutesOf(`${field}.opens`, value.opens, false);
  let closes = minutesOf(`${field}.closes`, value.closes, true);
  if (closes <= opens) closes += DAY_MINUTES;
  return { opens, closes };
}

/** Intervals on one cyclic timeline (a week, or a date and the day after) must not overlap. */
function overlapping(field: string, spans: { start: number; end: number; index: number }[], cycle: number | null) {
  const all = cycle ? spans.flatMap((s) => [s, { ...s, start: s.start + cycle, end: s.end + cycle }]) : spans;
  all.sort((a, b) => a.start - b.start);
  for (let i = 1; i < all.length; i++) {
    if (all[i]!.start < all[i - 1]!.end) throw badInput(`${field}[${all[i]!.index}]`, 'overlaps another interval');
  }
}

/** Validates hours as given (weekday names, HH:MM) and returns them as stored; throws BAD_USER_INPUT naming the field. */
export function checkOpeningHours(input: OpeningHoursInput): OpeningHours {
  const weeklyInput = input.weekly ?? [];
  if (weeklyInput.length > MAX_WEEKLY_INTERVALS) throw badInput('weekly', `at most ${MAX_WEEKLY_INTERVALS} intervals`);
  const weekly = weeklyInput.map((w, i) => ({ weekday: WEEKDAYS.indexOf(w.weekday) + 1, ...intervalOf(`weekly[${i}]`, w) }));
  const week = 7 * DAY_MINUTES;
  overlapping(
    'weekly',
    weekly.map((w, index) => ({
      start: (w.weekday - 1) * DAY_MINUTES + w.opens,
      end: (w.weekday - 1) * DAY_MINUTES + w.closes,
      index,
    })),
    week,
  );
  const exceptionsInput = input.exceptions ?? [];
  if (exceptionsInput.length > MAX_EXCEPTIONS) throw badInput('exceptions', `at most ${MAX_EXCEPTIONS} dates`);
  const seen = new Set<string>();
  const exceptions = exceptionsInput.map((e, i): DateException => {
    const field = `exceptions[${i}]`;
    const { year, month, day } = parseCalendarDay(`${field}.date`, e.date);
    const date = isoDate(year, month, day);
    if (seen.has(date)) throw badInput(`${field}.date`, `${date} is listed twice`);
    seen.add(date);
    const given = e.intervals ?? [];
    if (e.closed && given.length) throw badInput(`${field}.intervals`, 'a closed date has no intervals');
    if (!e.closed && !given.length) throw badInput(`${field}.intervals`, 'give the hours of the date, or closed: true');
    if (given.length > MAX_DATE_INTERVALS) throw badInput(`${field}.intervals`, `at most ${MAX_DATE_INTERVALS}`);
    const intervals = given.map((g, j) => intervalOf(`${field}.intervals[${j}]`, g));
    overlapping(
      `${field}.intervals`,
      intervals.map((iv, index) => ({ start: iv.opens, end: iv.closes, index })),
      null,
    );
    const note = e.note?.trim() || null;
    if (note && note.length > 200) throw badInput(`${field}.note`, 'at most 200 characters');
    return { date, intervals, note };
  });
  exceptions.sort((a, b) => a.date.localeCompare(b.date));
  return { weekly: weekly.sort((a, b) => a.weekday - b.weekday || a.opens - b.opens), exceptions };
}

const pad = (n: number) => String(n).padStart(2, '0');
export const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
/** minutes as "HH:MM" on the clock: a closing past midnight shows its time on the next day, one at midnight 24:00 */
export const clockTime = (minutes: number) =>
  minutes === DAY_MINUTES ? '24:00' : `${pad(Math.floor((minutes % DAY_MINUTES) / 60))}:${pad(minutes % 60)}`;
export const weekdayName = (weekday: number): Weekday => WEEKDAYS[weekday - 1]!;

/** A local date moved by `days` (calendar arithmetic on the date alone). */
function addDays(date: { y: number; m: number; d: number }, days: number) {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
const isoWeekday = (date: { y: number; m: number; d: number }) =>
  ((new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7) + 1;

/** The intervals opening on a local date: its exception's, else the weekly ones of its weekday. */
function intervalsOn(hours: OpeningHours, date: { y: number; m: number; d: number }): Interval[] {
  const exception = hours.exceptions.find((e) => e.date === isoDate(date.y, date.m, date.d));
  if (exception) return exception.intervals;
  const weekday = isoWeekday(date);
  return hours.weekly.filter((w) => w.weekday === weekday);
}

export const hasHours = (hours: OpeningHours) => hours.weekly.length > 0 || hours.exceptions.length > 0;

/** Is the venue open at `at` by its hours? The wall-clock rule above: today's intervals, or yesterday's past midnight. */
export function isOpenAt(hours: OpeningHours, timeZone: string, at: Date): boolean {
  const local = localTime(timeZone, at);
  const today = { y: local.year, m: local.month, d: local.day };
  const minute = local.hour * 60 + local.minute;
  const within = (iv: Interval, m: number) => iv.opens <= m && m < iv.closes;
  return (
    intervalsOn(hours, today).some((iv) => within(iv, minute)) ||
    intervalsOn(hours, addDays(today, -1)).some((iv) => within(iv, minute + DAY_MINUTES))
  );
}

export interface OpeningState {
  openNow: boolean;
  /** the next opening after `at` (when open: the one after this closing); null if none within 60 days */
  nextOpeningAt: Date | null;
  /** the next closing after `at` (when closed: that of the next opening); null if none within 60 days */
  nextClosingAt: Date | null;
}

/** An interval of a local date as instants (a wall-clock time the spring change skips moves forward, as RFC 5545 says). */
function instantsOf(date: { y: number; m: number; d: number }, iv: Interval, timeZone: string) {
  const at = (minutes: number) => {
    const day = addDays(date, Math.floor(minutes / DAY_MINUTES));
    const m = minutes % DAY_MINUTES;
    return zonedToUtc({ year: day.y, month: day.m, day: day.d, hour: Math.floor(m / 60), minute: m % 60, second: 0 }, timeZone);
  };
  return { start: at(iv.opens), end: at(iv.closes) };
}

/** Whether the venue is open at `at` and when it next opens and closes (touching intervals count as one opening). */
export function openingState(hours: OpeningHours, timeZone: string, at: Date): OpeningState {
  const openNow = isOpenAt(hours, timeZone, at);
  const local = localTime(timeZone, at);
  const today = { y: local.year, m: local.month, d: local.day };
  const spans: { start: number; end: number }[] = [];
  for (let offset = -1; offset <= LOOKAHEAD_DAYS; offset++) {
    const date = addDays(today, offset);
    for (const iv of intervalsOn(hours, date)) spans.push(instantsOf(date, iv, timeZone));
  }
  spans.sort((a, b) => a.start - b.start);
  // one opening per run of intervals that touch or overlap (22:00–24:00 then 00:00–02:00 closes at 02:00)
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  const now = at.getTime();
  const nextClosing = merged.find((s) => s.end > now && (openNow ? s.start <= now : s.start > now));
  const nextOpening = merged.find((s) => s.start > now);
  return {
    openNow,
    nextOpeningAt: nextOpening ? new Date(nextOpening.start) : null,
    nextClosingAt: nextClosing ? new Date(nextClosing.end) : null,
  };
}
