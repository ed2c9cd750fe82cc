/**
 * The aggregate of a venue's reports, kept in VenueReportAggregate so that SQL (search's openNow) can read what
 * aggregateReports decides: recomputed in the transaction of each report, of an erasure, and by the lapse job
 * (venue-status-expiry.ts) when the oldest report counted leaves the window. Whoever recomputes holds the venue's
 * row (FOR NO KEY UPDATE) first, so two recomputations of one venue never interleave.
 */
import { recordEvents, type SqlExecutor } from '@eventgraph/runtime';
import type { EventsTx } from './context';
import { aggregateReports, reportsRecomputeAt, type CrowdLevel, type LiveStatus } from './domain/live-status';
import { observeCrowd } from './crowd-model';
import { showsSame } from './domain/status-precedence';
import { liveStatusRules, reportAggregateOf, statusChangePayload, VENUE_STATUS_TOPIC } from './venue-places';

/** Holds the venue's row until the transaction ends; false when the venue is gone. */
export async function holdVenue(tx: EventsTx, venueId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM "Venue" WHERE "id" = ${venueId}::uuid FOR NO KEY UPDATE`;
  return rows.length > 0;
}

/**
 * Recomputes the venue's aggregate from its reports in the window at `now` and stores it (or removes it when
 * there is none). The caller holds the venue (holdVenue). Returns what was stored before and what is after.
 */
export async function recomputeReportAggregate(
  tx: EventsTx,
  venueId: string,
  now: Date,
): Promise<{ before: LiveStatus | null; after: LiveStatus | null }> {
  const rules = liveStatusRules();
  const since = new Date(now.getTime() - rules.reportWindowMinutes * 60_000);
  const [stored, rows] = await Promise.all([
    tx.venueReportAggregate.findUnique({ where: { venueId } }),
    tx.venueStatusReport.findMany({ where: { venueId, createdAt: { gt: since } } }),
  ]);
  const reports = rows.map((r) => ({ ...r, crowdLevel: r.crowdLevel as CrowdLevel | null }));
  const after = aggregateReports(reports, now, rules);
  const recomputeAt = reportsRecomputeAt(reports, now, rules);
  // as stored, even past its validUntil: a job running late has not yet told anyone it lapsed
  const before = stored ? reportAggregateOf(stored) : null;
  if (!after || !recomputeAt) {
    if (stored) await tx.venueReportAggregate.delete({ where: { venueId } });
    return { before, after: null };
  }
  const data = {
    open: after.open,
    crowdLevel: after.crowdLevel,
    waitMinutes: after.waitMinutes,
    confidence: after.confidence,
    validUntil: after.validUntil,
    updatedAt: after.updatedAt,
    recomputeAt,
  };
  await tx.venueReportAggregate.upsert({ where: { venueId }, create: { venueId, ...data }, update: data });
  return { before, after };
}

/**
 * Recomputes the aggregates of these venues now (in this order: callers sort, so two never wait on each other) and
 * announces each whose shown facts changed (`venue_status.changed`, changed: reports) through the outbox, in the
 * caller's transaction. Returns the venues announced.
 */
export async function reaggregateVenues(tx: EventsTx, venueIds: readonly string[], now = new Date()): Promise<string[]> {
  const changed: string[] = [];
  const crowds = new Map<string, CrowdLevel>();
  for (const venueId of venueIds) {
    if (!(await holdVenue(tx, venueId))) continue;
    const { before, after } = await recomputeReportAggregate(tx, venueId, now);
    if (!showsSame(before, after)) changed.push(venueId);
    if (after?.crowdLevel) crowds.set(venueId, after.crowdLevel);
  }
  if (!changed.length && !crowds.size) return changed;
  const venues = await tx.venue.findMany({ where: { id: { in: [...new Set([...changed, ...crowds.keys()])] } } });
  // what users still agree on is an observation of the crowd too (at most one per venue and hour counts)
  for (const venue of venues) await observeCrowd(tx, venue, crowds.get(venue.id) ?? null, now);
  await recordEvents(
    tx as unknown as SqlExecutor,
    'events',
    VENUE_STATUS_TOPIC,
    venues.filter((venue) => changed.includes(venue.id)).map((venue) => statusChangePayload(venue, ['reports'])),
  );
  return changed;
}
