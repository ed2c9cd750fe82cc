/**
 * When a source runs next, and what its runs say of its health. Pure: the queue and the schema apply it.
 */

/** The longest a failing source waits before it is tried again, whatever its schedule. */
export const MAX_RETRY_DELAY_MS = 6 * 3600_000;
const FIRST_RETRY_DELAY_MS = 60_000;

/**
 * After a run: the schedule after a success; after a failure a back-off that doubles with the failure streak
 * (from a minute), never later than the schedule would be, with jitter so failing sources do not retry in step.
 * A source run on demand only (schedule 0) is not retried: the caller runs it again.
 */
export function nextRunAfter(
  finishedAt: Date,
  run: { succeeded: boolean; failureStreak: number; scheduleSeconds: number },
  random: () => number = Math.random,
): Date | null {
  if (run.scheduleSeconds <= 0) return null;
  const scheduleMs = run.scheduleSeconds * 1000;
  if (run.succeeded) return new Date(finishedAt.getTime() + scheduleMs);
  const backoff = Math.min(FIRST_RETRY_DELAY_MS * 2 ** Math.max(0, run.failureStreak - 1), MAX_RETRY_DELAY_MS, scheduleMs);
  // full jitter over the upper half: spread out, but never much sooner than the back-off asks
  return new Date(finishedAt.getTime() + backoff / 2 + random() * (backoff / 2));
}

export type Freshness = 'NEVER' | 'FRESH' | 'STALE';

/** Fresh while the last success is within twice the schedule (or a day, for sources run on demand). */
export function freshnessOf(lastSuccessAt: Date | null, scheduleSeconds: number, now: Date): Freshness {
  if (!lastSuccessAt) return 'NEVER';
  const allowedMs = (scheduleSeconds > 0 ? 2 * scheduleSeconds : 86_400) * 1000;
  return now.getTime() - lastSuccessAt.getTime() <= allowedMs ? 'FRESH' : 'STALE';
}

/** Share of runs that succeeded (a partial run counts: it staged records), or null before the first run. */
export const successRateOf = (runCount: number, successCount: number): number | null =>
  runCount > 0 ? successCount / runCount : null;

export const averageRecordsPerRunOf = (runCount: number, recordsFound: number): number | null =>
  runCount > 0 ? recordsFound / runCount : null;
