import type { Sql } from '@eventgraph/runtime';
import type { NormalisedRecord } from '../domain/records';

/** A live source record of a canonical event, with what survivorship weighs it by. */
export interface MemberRow {
  canonicalEventId: string;
  sourceId: string;
  externalId: string;
  feedId: string | null;
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  timeZone: string | null;
  placeText: string | null;
  venueName: string | null;
  city: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  geoConfidence: number | null;
  venueId: string | null;
  cell: string | null;
  url: string | null;
  imageUrl: string | null;
  categories: string[];
  cancelled: boolean;
  contentHash: string | null;
  lastSeenAt: Date;
  trust: 'UNVERIFIED' | 'STANDARD' | 'TRUSTED' | 'OFFICIAL';
  priority: number;
  autoApproveQuality: number | null;
}

/** the ACTIVE records of the given canonical events, with their sources' trust and priority */
export async function loadMembers(tx: Sql, canonicalIds: string[]): Promise<MemberRow[]> {
  if (canonicalIds.length === 0) return [];
  return tx.query<MemberRow>(
    `SELECT r."canonicalEventId", r."sourceId", r."externalId", r."feedId", r.title, r.description, r."startsAt",
       r."endsAt", r."allDay", r."timeZone", r."placeText", r."venueName", r.city, r.country, r.latitude, r.longitude,
       r."geoConfidence", r."venueId", r.cell, r.url, r."imageUrl", r.categories, r.cancelled, r."contentHash",
       r."lastSeenAt", s.trust::text AS trust, s.priority, s."autoApproveQuality"
     FROM "SourceRecord" r JOIN "Source" s ON s.id = r."sourceId"
     WHERE r."canonicalEventId" = ANY(ARRAY(SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb))) AND r.state = 'ACTIVE'`,
    [JSON.stringify(canonicalIds)],
  );
}

/** The staged row as the normalised record it was made from (the raw record is not needed to merge). */
export function recordOf(row: MemberRow): NormalisedRecord {
  return {
    externalId: row.externalId,
    feedId: row.feedId,
    title: row.title,
    description: row.description ?? '',
    startsAt: new Date(row.startsAt),
    endsAt: row.endsAt ? new Date(row.endsAt) : null,
    allDay: row.allDay,
    timeZone: row.timeZone,
    place: {
      text: row.placeText,
      venueId: row.venueId,
      venueName: row.venueName,
      city: row.city,
      country: row.country,
      latitude: row.latitude,
      longitude: row.longitude,
      confidence: row.geoConfidence ?? 0,
      cell: row.cell,
    },
    url: row.url,
    imageUrl: row.imageUrl,
    // staged as slugs: they passed the taxonomy's threshold when normalised
    categories: row.categories.map((slug) => ({ slug, confidence: 1 })),
    cancelled: row.cancelled,
    contentHash: row.contentHash ?? '',
    raw: {},
  };
}
