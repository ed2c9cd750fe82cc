import { badInput } from './errors';

/** The years a date may name (DateTime and YYYY-MM-DD alike): outside them is a typo or a probe, never an event. */
export const DATE_YEARS = { min: 1900, max: 9999 } as const;

/** Days of a month (1–12) of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // day 0 of the next month; setUTCFullYear keeps years below 100 as they are
  return date.getUTCDate();
}

/** Why this is no day a date may name (not in the calendar, or outside DATE_YEARS); undefined when it is one. */
export function calendarDayProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return 'is not a day of the calendar';
  if (year < DATE_YEARS.min || year > DATE_YEARS.max) return `is outside the years ${DATE_YEARS.min}–${DATE_YEARS.max}`;
  return undefined;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A `YYYY-MM-DD` day, refused (never shifted) unless the calendar has it; BAD_USER_INPUT naming the field. */
export function parseCalendarDay(field: string, value: string): { year: number; month: number; day: number } {
  const match = DAY.exec(value);
  if (!match) throw badInput(field, `"${value.slice(0, 40)}" is not a date (YYYY-MM-DD)`);
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const problem = calendarDayProblem(year, month, day);
  if (problem) throw badInput(field, `${value} ${problem}`);
  return { year, month, day };
}
