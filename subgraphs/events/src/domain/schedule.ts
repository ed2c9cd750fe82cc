/** Rules for when and where an event happens. */

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

export type ScheduleProblem = { field: 'startsAt' | 'endsAt'; message: string };

/** An event ends strictly after it starts (no inverted or zero-length times). */
export function checkSchedule(startsAt: Date, endsAt: Date): ScheduleProblem | null {
  if (endsAt.getTime() <= startsAt.getTime()) return { field: 'endsAt', message: 'must be after startsAt' };
  return null;
}
