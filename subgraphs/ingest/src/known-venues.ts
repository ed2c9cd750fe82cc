import type { ConsumerServices, Sql } from '@eventgraph/runtime';
import type { IngestDb } from './context';
import type { KnownVenue } from './domain/normalise';

interface VenueSummary {
  venueId?: string;
  organizationId?: string;
  name?: string;
  city?: string | null;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

/**
 * Ingest never reads the events subgraph's tables: it keeps each venue's name and place from `venue.*` bus events,
 * so a feed's location is matched to a known venue before any city of the gazetteer.
 */
export const projectVenues = ({ db, bus, group }: ConsumerServices<IngestDb>) =>
  bus.consume!(group('venue-projection'), 'venue.*', async (event) => {
    const { venueId, organizationId, name, city, country, latitude, longitude } = event.payload as VenueSummary;
    // announcements from before venues carried their place say nothing to match by
    if (!venueId || !organizationId || !name) return;
    const data = {
      organizationId,
      name,
      city: city ?? null,
      country: country ?? null,
      latitude: latitude ?? null,
      longitude: longitude ?? null,
    };
    // idempotent: replaying an event writes the same row
    await db.knownVenue.upsert({ where: { venueId }, create: { venueId, ...data }, update: data });
  });

/** how many venues one run matches against: the source's organisation's, or the most recently changed of all */
const MAX_VENUES = 5_000;

/** The venues a source's records are matched to: its organisation's own, or (a platform-wide source) all known. */
export async function knownVenuesFor(sql: Sql, organizationId: string | null): Promise<KnownVenue[]> {
  return sql.query<KnownVenue>(
    `SELECT "venueId" AS id, name, city, country, latitude, longitude FROM "KnownVenue"
     WHERE $1::uuid IS NULL OR "organizationId" = $1::uuid
     ORDER BY "updatedAt" DESC LIMIT ${MAX_VENUES}`,
    [organizationId],
  );
}
