import { executorOf, loadIntSettings, recordEvents, runPeriodically, type ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';
import { statusChangePayload, VENUE_STATUS_TOPIC } from './venue-places';

const BATCH = 100;

/** EVENTS_STATUS_EXPIRY_INTERVAL_MS: how often lapsed statuses are looked for (default 15 s). */
export const statusExpiryIntervalMs = (env: Record<string, string | undefined> = process.env) =>
  loadIntSettings({ EVENTS_STATUS_EXPIRY_INTERVAL_MS: [15_000, 10, 86_400_000] }, env).EVENTS_STATUS_EXPIRY_INTERVAL_MS;

/**
 * An organisation's status lapses by itself at its `validUntil` (reads already judge it so); this job tells the
 * venue's subscribers (`venue_status.changed`, changed: liveStatus) and removes the lapsed row in the same
 * transaction, a batch at a time under SKIP LOCKED, so replicas announce each lapse once.
 * Returns how many lapsed.
 */
export async function announceLapsedStatuses(sql: ConsumerServices<EventsDb>['sql'], now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const lapsed = await sql.transaction(async (tx) => {
      const venues = await tx.query<{ id: string; organizationId: string; latitude: number | null; longitude: number | null }>(
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

/** The events subgraph's consumer that announces lapsed statuses, at start and then every interval. */
export const expireVenueStatuses = ({ sql, log }: ConsumerServices<EventsDb>) =>
  runPeriodically('venue status expiry', statusExpiryIntervalMs(), () => announceLapsedStatuses(sql), log);
