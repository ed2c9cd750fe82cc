/**
 * Which of a venue's sources of live status shows, and which decides whether it is open now. Pure: the sources are
 * given as they are stored (expired or not), validity is judged here against `now`.
 */
import type { LiveStatus, StatusFacts } from './live-status';

export interface StatusSources {
  /** the organisation's own status */
  business: LiveStatus | null;
  /** the crowd measured at the gates of events running at the venue */
  checkIns: LiveStatus | null;
  /** the aggregate of users' reports (never one person's word) */
  reports: LiveStatus | null;
  /** the usual crowd of this hour (domain/crowd-prediction.ts) */
  prediction: LiveStatus | null;
}

const valid = (s: LiveStatus | null, now: Date) => (s && s.validUntil.getTime() > now.getTime() ? s : null);

/**
 * The business's status while valid wins; then what check-ins measure; then users' agreeing reports; then, with
 * none of these, the prediction of the usual crowd; else none.
 */
export function currentStatus(sources: StatusSources, now: Date): LiveStatus | null {
  return (
    valid(sources.business, now) ?? valid(sources.checkIns, now) ?? valid(sources.reports, now) ?? valid(sources.prediction, now)
  );
}

/**
 * Open now, in the order live status shows its sources: the first valid one that says open or closed (the
 * business, then check-in data — an event with gates running there —, then users' agreeing reports), else the
 * opening hours (`byHours`, null without hours). A prediction never decides it (it says no more than a crowd).
 * search-sql.ts venueOpenSql asks the same in SQL.
 */
export function openNowOf(sources: StatusSources, now: Date, byHours: () => boolean | null): boolean | null {
  for (const source of [sources.business, sources.checkIns, sources.reports]) {
    const open = valid(source, now)?.open;
    if (open != null) return open;
  }
  return byHours();
}

/** Whether two statuses show the same facts (open, crowd, wait): a change worth announcing when they do not. */
export function showsSame(a: StatusFacts | null, b: StatusFacts | null): boolean {
  if (!a || !b) return a === b;
  return a.open === b.open && a.crowdLevel === b.crowdLevel && a.waitMinutes === b.waitMinutes;
}
