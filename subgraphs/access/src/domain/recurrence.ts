import type { Problem } from './series-rules';
import { canonicalTimeZone, localTime, zonedToUtc } from '@eventgraph/runtime';

/**
 * Recurring series: a parent holds a pattern (daily or weekly, every n days or
 * weeks, a count or an end date, in an IANA time zone) and the occurrences are
 * computed from its first start. Each occurrence keeps the local wall-clock
 * start time of the first one in the pattern's time zone — so a 19:00 show in
 * Berlin stays at 19:00 across the DST changes — and its duration. Time-zone
 * arithmetic uses the runtime's IANA data through Intl; no dependency needed.
 */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type Frequency = 'DAILY' | 'WEEKLY';

export interface RecurrencePattern {
  frequency: Frequency;
  interval: number;
  count: number | null;
  /** the last moment an occurrence may start (inclusive), ISO 8601 */
  until: string | null;
  timeZone: string;
  /** weekly only: the days of the week; defaults to the first occurrence's day */
  byWeekday: Weekday[] | null;
}

export interface RecurrenceInput {
  frequency: Frequency;
  interval?: number | null;
  count?: number | null;
  until?: Date | null;
  timeZone: string;
  byWeekday?: readonly Weekday[] | null;
}

/** At most a year of daily occurrences per parent. */
export const MAX_OCCURRENCES = 366;

export interface Occurrence {
  sequenceNumber: number;
  startsAt: Date;
  endsAt: Date;
}

const bad = (field: string, message: string): Problem => ({
  code: 'BAD_USER_INPUT',
  field: `recurrence.${field}`,
  message: `recurrence.${field}: ${message}`,
});

export function checkRecurrence(input: RecurrenceInput): { pattern: RecurrencePattern } | { problem: Problem } {
  const interval = input.interval ?? 1;
  if (!Number.isInteger(interval) || interval < 1 || interval > 365)
    return { problem: bad('interval', 'must be between 1 and 365') };
  const hasCount = input.count !== null && input.count !== undefined;
  const hasUntil = input.until !== null && input.until !== undefined;
  if (hasCount === hasUntil) return { problem: bad('count', 'give either count or until') };
  if (hasCount && (!Number.isInteger(input.count) || input.count! < 1)) return { problem: bad('count', 'must be 1 or more') };
  if (hasCount && input.count! > MAX_OCCURRENCES) return { problem: tooMany() };
  const timeZone = canonicalTimeZone(input.timeZone);
  if (!timeZone) return { problem: bad('timeZone', `"${input.timeZone}" is not an IANA time zone`) };
  if (input.byWeekday?.length && input.frequency !== 'WEEKLY') return { problem: bad('byWeekday', 'applies to WEEKLY only') };
  const byWeekday = input.byWeekday?.length ? WEEKDAYS.filter((d) => input.byWeekday!.includes(d)) : null;
  return {
    pattern: {
      frequency: input.frequency,
      interval,
      count: hasCount ? input.count! : null,
      until: hasUntil ? input.until!.toISOString() : null,
      timeZone,
      byWeekday,
    },
  };
}

const tooMany = (): Problem => ({
  code: 'RECURRENCE_TOO_LONG',
  field: 'recurrence',
  message: `recurrence: a pattern may have at most ${MAX_OCCURRENCES} occurrences`,
  details: { max: MAX_OCCURRENCES },
});

/**
 * The occurrences of `pattern` whose first one is `first` (the parent's own
 * times), numbered from 1. Refuses patterns with more than MAX_OCCURRENCES.
 */
export function occurrences(
  pattern: RecurrencePattern,
  first: { startsAt: Date; endsAt: Date },
): { occurrences: Occurrence[] } | { problem: Problem } {
  const duration = first.endsAt.getTime() - first.startsAt.getTime();
  const start = localParts(first.startsAt.getTime(), pattern.timeZone);
  const until = pattern.until ? new Date(pattern.until).getTime() : Infinity;
  const limit = pattern.count ?? Infinity;
  const found: Occurrence[] = [];
  for (const date of localDates(pattern, start)) {
    if (found.length >= limit) break;
    const startsAt = zonedToUtc({ ...start, ...date }, pattern.timeZone);
    if (startsAt > until) break;
    if (found.length === MAX_OCCURRENCES) return { problem: tooMany() };
    found.push({ sequenceNumber: found.length + 1, startsAt: new Date(startsAt), endsAt: new Date(startsAt + duration) });
  }
  if (found.length === 0) return { problem: bad('until', 'must not be before the first occurrence starts') };
  return { occurrences: found };
}

interface LocalDate {
  year: number;
  month: number;
  day: number;
}
interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The calendar dates of the pattern, in order, from the first occurrence's date on (endless; the caller stops). */
function* localDates(pattern: RecurrencePattern, start: LocalDate): Generator<LocalDate> {
  const dayNumber = Date.UTC(start.year, start.month - 1, start.day) / 86_400_000;
  const weekdayOf = (n: number) => WEEKDAYS[(new Date(n * 86_400_000).getUTCDay() + 6) % 7]!;
  const toDate = (n: number): LocalDate => {
    const d = new Date(n * 86_400_000);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  };
  if (pattern.frequency === 'DAILY') {
    for (let n = dayNumber; ; n += pattern.interval) yield toDate(n);
  }
  const days = pattern.byWeekday ?? [weekdayOf(dayNumber)];
  const monday = dayNumber - WEEKDAYS.indexOf(weekdayOf(dayNumber));
  for (let week = monday; ; week += 7 * pattern.interval) {
    for (const weekday of days) {
      const n = week + WEEKDAYS.indexOf(weekday);
      if (n >= dayNumber) yield toDate(n);
    }
  }
}

const localParts = (utcMs: number, timeZone: string): LocalParts => ({
  ...localTime(timeZone, utcMs),
  millisecond: ((utcMs % 1000) + 1000) % 1000,
});
