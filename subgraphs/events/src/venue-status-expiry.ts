import { executorOf, loadIntSettings, recordEvents, runPeriodically, type ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';
import { reaggregateVenues } from './report-aggregates';
import { statusChangePayload, VENUE_STATUS_TOPIC } from './venue-places';

/**
 * What a venue shows lapses by itself (reads judge validity by the clock); this job tells its subscribers when it
 * does, a batch at a time under SKIP LOCKED with the announcement in the same transaction, so that several
 * replicas announce each lapse once: an organisation's status past its validUntil, an aggregate of reports whose
 * oldest report left the window, a check-in reading of an event that ended.
 */
const BATCH = 100;

interface PlacedVenueRow {
  id: string;
  organizationId: string;
  latitude: number | null;
  longitude: number | null;
}

/** EVENTS_STATUS_EXPIRY_INTERVAL_MS: how often lapsed statuses are looked for (default 15 s). */
export const statusExpiryIntervalMs = (env: Record<string, string | undefined> = process.env) =>
  loadIntSettings({ EVENTS_STATUS_EXPIRY_INTERVAL_MS: [15_000, 10, 86_400_000] }, env).EVENTS_STATUS_EXPIRY_INTERVAL_MS;

/**
 * Organisations' statuses past their `validUntil`: removed, and their venues announced (changed: liveStatus) in the
 * same transaction. Returns how many lapsed.
 */
export async function announceLapsedStatuses(sql: ConsumerServices<EventsDb>['sql'], now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const lapsed = await sql.transaction(async (tx) => {
      const venues = await tx.query<PlacedVenueRow>(
        `WITH gone AS (
           DELETE FROM "VenueStatus" WHERE "venueId" IN (
             SELECT "venueId" FROM "VenueStatus" WHERE "validUntil" <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING "venueId")
         SELECT v."id"::text AS "id", v."organizationId"::text AS "organizationId", v."latitude", v."longitude"
         FROM "Venue" v JOIN gone ON gone."venueId" = v."id"`,
        [now, BATCH],
      );
      await recordEvents(
        executorOf(tx),
        'events',
        VENUE_STATUS_TOPIC,
        venues.map((venue) => statusChangePayload(venue, ['liveStatus'])),
      );
      return venues.length;
    });
    total += lapsed;
    if (lapsed < BATCH) return total;
  }
}

/**
 * Aggregates of reports due for recomputation (their oldest report left the window), recomputed and, where what
 * they show changed or went, announced (changed: reports). Returns how many were recomputed.
 */
export async function announceLapsedReports(db: EventsDb, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const due = await db.$transaction(async (tx) => {
      // the venue's row is what every recomputation holds (report-aggregates.ts): taken here without waiting
      const rows = await tx.$queryRaw<{ venueId: string }[]>`
        SELECT a."venueId"::text AS "venueId" FROM "VenueReportAggregate" a JOIN "Venue" v ON v."id" = a."venueId"
        WHERE a."recomputeAt" <= ${now} ORDER BY a."venueId" LIMIT ${BATCH} FOR NO KEY UPDATE OF v SKIP LOCKED`;
      await reaggregateVenues(
        tx,
        rows.map((r) => r.venueId),
        now,
      );
      return rows.length;
    });
    total += due;
    if (due < BATCH) return total;
  }
}

/**
 * Check-in readings of events that ended (or are gone) are removed and their venues announced (changed: checkIns):
 * the crowd measured at the gates no longer shows. Returns how many readings were removed.
 */
export async function announceEndedCheckIns(sql: ConsumerServices<EventsDb>['sql'], now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await sql.transaction(async (tx) => {
      const rows = await tx.query<PlacedVenueRow & { capacity: number }>(
        `WITH gone AS (
           DELETE FROM "SeriesOccupancy" WHERE "seriesId" IN (
             SELECT o."seriesId" FROM "SeriesOccupancy" o LEFT JOIN "Event" e ON e."id" = o."eventId"
             WHERE e."id" IS NULL OR e."endsAt" <= $1 LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
           RETURNING "eventId", "capacity")
         SELECT v."id"::text AS "id", v."organizationId"::text AS "organizationId", v."latitude", v."longitude", gone."capacity"
         FROM gone LEFT JOIN "Event" e ON e."id" = gone."eventId" LEFT JOIN "Venue" v ON v."id" = e."venueId"`,
        [now, BATCH],
      );
      // a reading without capacity showed nothing; each venue is announced once
      const shown = new Map(rows.filter((r) => r.id && r.capacity > 0).map((r) => [r.id, r]));
      await recordEvents(
        executorOf(tx),
        'events',
        VENUE_STATUS_TOPIC,
        [...shown.values()].map((venue) => statusChangePayload(venue, ['checkIns'])),
      );
      return rows.length;
    });
    total += removed;
    if (removed < BATCH) return total;
  }
}

/** The events subgraph's consumer that announces lapses, at start and then every interval. */
export const expireVenueStatuses = ({ db, sql, log }: ConsumerServices<EventsDb>) =>
  runPeriodically(
    'venue status expiry',
    statusExpiryIntervalMs(),
    async () => {
      const now = new Date();
      await announceLapsedStatuses(sql, now);
      await announceLapsedReports(db, now);
      await announceEndedCheckIns(sql, now);
    },
    log,
  );
