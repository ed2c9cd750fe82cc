import { calendarDayProblem } from '@eventgraph/runtime';
import { zonedInstant, type WallClock } from './time-zones';

/**
 * Dates as CSV files, partner APIs and web pages write them, read into instants. ISO 8601 first;
 * then a caller's explicit pattern (`DD/MM/YYYY HH:mm`), Unix epochs, dates that carry their own
 * zone (RFC 2822), and the common human forms ("Sat 12 July 2027 19:30", "July 12, 2027 7:30 pm",
 * "12.07.2027 19:30"). A wall-clock time without a zone is read in the zone the caller knows, else UTC.
 * Ambiguous numeric forms (is 03/04 March or April?) are read only through an explicit pattern.
 */

export interface DateReading {
  at: Date;
  /** a date without a time of day */
  allDay: boolean;
  /** the zone the wall-clock time was read in (null for UTC or an explicit offset) */
  timeZone: string | null;
}

export interface DateContext {
  /** IANA zone for wall-clock times without an offset */
  timeZone?: string | null;
  /** an explicit pattern: YYYY MM M DD D HH H hh h mm ss A, MMM/MMMM for month names; other characters literal */
  format?: string;
}

/** A reading, 'invalid' for text that is no date, undefined for an empty value. */
export function readDate(value: unknown, context: DateContext = {}): DateReading | 'invalid' | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return fromEpoch(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid' : { at: value, allDay: false, timeZone: null };
  if (typeof value !== 'string') return 'invalid';
  const text = value.trim();
  if (!text) return undefined;
  return (
    (context.format ? withPattern(text, context.format, context) : undefined) ??
    iso(text, context) ??
    (/^\d{9,13}$/.test(text) ? fromEpoch(Number(text)) : undefined) ??
    withOwnZone(text) ??
    human(text, context) ??
    'invalid'
  );
}

const MONTHS: Record<string, number> = {};
[
  'january february march april may june july august september october november december',
  'januar februar märz april mai juni juli august september oktober november dezember',
  'janvier février mars avril mai juin juillet août septembre octobre novembre décembre',
  'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre',
].forEach((line) =>
  line.split(' ').forEach((name, i) => {
    MONTHS[name] = i + 1;
    MONTHS[name.slice(0, 3)] ??= i + 1;
  }),
);
MONTHS.sept = 9;
MONTHS.mrz = 3;

function fromEpoch(n: number): DateReading | 'invalid' {
  if (!Number.isFinite(n) || n <= 0) return 'invalid';
  const at = new Date(n < 1e11 ? n * 1000 : n); // seconds until the year 5138, milliseconds after
  return Number.isNaN(at.getTime()) ? 'invalid' : { at, allDay: false, timeZone: null };
}

/** The instant of a wall-clock time, refusing days the calendar has not (31 June) and times past 24:00. */
function wallClock(local: WallClock, allDay: boolean, context: DateContext): DateReading | 'invalid' {
  if (calendarDayProblem(local.year, local.month, local.day)) return 'invalid';
  if (local.hour > 23 || local.minute > 59 || local.second > 60) return 'invalid';
  const zone = context.timeZone ?? null;
  const at = zone
    ? zonedInstant(local, zone)
    : new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second));
  return { at, allDay, timeZone: zone };
}

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function iso(text: string, context: DateContext): DateReading | 'invalid' | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const local = { year, month, day, hour, minute, second };
  const offset = m[7];
  if (!offset) return wallClock(local, m[4] === undefined, context);
  const reading = wallClock(local, false, { timeZone: null });
  if (reading === 'invalid') return reading;
  const offsetMs = offset.toUpperCase() === 'Z' ? 0 : offsetMillis(offset);
  return { at: new Date(reading.at.getTime() - offsetMs), allDay: false, timeZone: context.timeZone ?? null };
}

function offsetMillis(offset: string): number {
  const digits = offset.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * 60_000;
}

/** RFC 2822 and friends that name their zone or offset: the runtime's parser reads them exactly. */
function withOwnZone(text: string): DateReading | undefined {
  if (!/(\b(GMT|UTC|UT|[ECMP][SD]T)\b|[+-]\d{4}$)/i.test(text)) return undefined;
  const at = new Date(text.replace(/\s+/g, ' '));
  return Number.isNaN(at.getTime()) ? undefined : { at, allDay: false, timeZone: null };
}

const TIME = /(?:^|\s)(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?=\s|$)/;

function readTime(text: string): { hour: number; minute: number; second: number; found: boolean } | undefined {
  const m = TIME.exec(text);
  if (!m || (m[2] === undefined && m[4] === undefined)) return { hour: 0, minute: 0, second: 0, found: false };
  let hour = Number(m[1]);
  const meridiem = m[4]?.replace(/\./g, '');
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return { hour, minute: Number(m[2] ?? 0), second: Number(m[3] ?? 0), found: true };
}

function human(text: string, context: DateContext): DateReading | 'invalid' | undefined {
  const lower = text
    .toLowerCase()
    .replace(/,/g, ' ')
    .replace(/\s+(at|um|à|a las|uhr|h)\b/g, ' ');
  let date: { year: number; month: number; day: number } | undefined;
  let rest = lower;
  const numeric = /\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b/.exec(lower); // 12.07.2027: always day first
  if (numeric) {
    date = { day: Number(numeric[1]), month: Number(numeric[2]), year: Number(numeric[3]) };
    rest = lower.replace(numeric[0], ' ');
  } else {
    const dayFirst = /\b(\d{1,2})(?:st|nd|rd|th|\.)?\s+(?:de\s+)?([a-zäéû]{3,9})\.?\s+(?:de\s+)?(\d{4})\b/.exec(lower);
    const monthFirst = /\b([a-zäéû]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\s+(\d{4})\b/.exec(lower);
    if (dayFirst && MONTHS[dayFirst[2]!]) {
      date = { day: Number(dayFirst[1]), month: MONTHS[dayFirst[2]!]!, year: Number(dayFirst[3]) };
      rest = lower.replace(dayFirst[0], ' ');
    } else if (monthFirst && MONTHS[monthFirst[1]!]) {
      date = { day: Number(monthFirst[2]), month: MONTHS[monthFirst[1]!]!, year: Number(monthFirst[3]) };
      rest = lower.replace(monthFirst[0], ' ');
    }
  }
  if (!date) return undefined;
  const time = readTime(rest.trim());
  if (!time) return 'invalid';
  return wallClock({ ...date, hour: time.hour, minute: time.minute, second: time.second }, !time.found, context);
}

const PATTERN_TOKENS = /YYYY|MMMM|MMM|MM|M|DD|D|HH|H|hh|h|mm|ss|A|a/g;

function withPattern(text: string, format: string, context: DateContext): DateReading | 'invalid' | undefined {
  const fields: string[] = [];
  let source = '';
  let last = 0;
  for (const m of format.matchAll(PATTERN_TOKENS)) {
    source += escapeRegExp(format.slice(last, m.index));
    const token = m[0];
    fields.push(token);
    source +=
      token === 'YYYY'
        ? '(\\d{4})'
        : /^M{3,4}$/.test(token)
          ? '([A-Za-zÀ-ÿ]+)\\.?'
          : /^[Aa]$/.test(token)
            ? '([AaPp]\\.?[Mm]\\.?)'
            : '(\\d{1,2})';
    last = m.index + token.length;
  }
  source += escapeRegExp(format.slice(last));
  const m = new RegExp(`^${source.replace(/ /g, '\\s+')}$`).exec(text.trim());
  if (!m) return undefined;
  const local = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  let pm: boolean | undefined;
  let hasTime = false;
  fields.forEach((token, i) => {
    const v = m[i + 1]!;
    if (token === 'YYYY') local.year = Number(v);
    else if (token.startsWith('MMM')) local.month = MONTHS[v.toLowerCase()] ?? 0;
    else if (token.startsWith('M')) local.month = Number(v);
    else if (token.startsWith('D')) local.day = Number(v);
    else if (/^[Hh]+$/.test(token)) [local.hour, hasTime] = [Number(v), true];
    else if (token === 'mm') local.minute = Number(v);
    else if (token === 'ss') local.second = Number(v);
    else pm = v.toLowerCase().startsWith('p');
  });
  if (pm !== undefined) local.hour = (local.hour % 12) + (pm ? 12 : 0);
  return wallClock(local, !hasTime, context);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
