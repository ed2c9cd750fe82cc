/** Rules for when and where an event happens. */

export { canonicalTimeZone, isTimeZone } from '@eventgraph/runtime';

export type ScheduleProblem = { field: 'startsAt' | 'endsAt'; message: string };

/** An event ends strictly after it starts (no inverted or zero-length times). */
export function checkSchedule(startsAt: Date, endsAt: Date): ScheduleProblem | null {
  if (endsAt.getTime() <= startsAt.getTime()) return { field: 'endsAt', message: 'must be after startsAt' };
  return null;
}
