import { createHash } from 'node:crypto';
import type { NormalisedRecord, ParsedRecord, RecordProblem } from '../domain/records';

/**
 * SourceRecord rows as JSON objects, for one bulk upsert per batch (`jsonb_to_recordset`): a batch of a thousand
 * records is one statement, not a thousand.
 */
export interface RecordRow {
  externalId: string;
  feedId: string | null;
  state: 'ACTIVE' | 'INVALID';
  problems: RecordProblem[] | null;
  title: string | null;
  description: string | null;
  startsAt: string | null;
  endsAt: string | null;
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
  contentHash: string;
  raw: Record<string, unknown>;
}

export function validRow(record: NormalisedRecord): RecordRow {
  const { place } = record;
  return {
    externalId: record.externalId,
    feedId: record.feedId,
    state: 'ACTIVE',
    problems: null,
    title: record.title,
    description: record.description,
    startsAt: record.startsAt.toISOString(),
    endsAt: record.endsAt?.toISOString() ?? null,
    allDay: record.allDay,
    timeZone: record.timeZone,
    placeText: place.text,
    venueName: place.venueName,
    city: place.city,
    country: place.country,
    latitude: place.latitude,
    longitude: place.longitude,
    geoConfidence: place.confidence,
    venueId: place.venueId,
    cell: place.cell,
    url: record.url,
    imageUrl: record.imageUrl,
    categories: record.categories.map((c) => c.slug),
    cancelled: record.cancelled,
    contentHash: record.contentHash,
    raw: record.raw,
  };
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/**
 * A record normalisation refused has no external id of its own: it is keyed by its feed id (or, without one,
 * by what it said), so a refused record fetched again is the same staged row, not a new one.
 */
export function invalidExternalId(parsed: ParsedRecord): string {
  const key = parsed.feedId?.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || hash(parsed.raw).slice(0, 24);
  return `invalid_${key}`;
}

const iso = (date: Date | null) => (date && !Number.isNaN(date.getTime()) ? date.toISOString() : null);

export function invalidRow(parsed: ParsedRecord, problems: RecordProblem[]): RecordRow {
  return {
    externalId: invalidExternalId(parsed),
    feedId: parsed.feedId,
    state: 'INVALID',
    problems,
    title: parsed.title,
    // unsanitised feed text is never shown from here: the raw record keeps it for review
    description: null,
    startsAt: iso(parsed.startsAt),
    endsAt: iso(parsed.endsAt),
    allDay: parsed.allDay,
    timeZone: parsed.timeZone,
    placeText: parsed.location,
    venueName: null,
    city: null,
    country: null,
    latitude: parsed.latitude,
    longitude: parsed.longitude,
    geoConfidence: null,
    venueId: null,
    cell: null,
    url: parsed.url,
    imageUrl: parsed.imageUrl,
    categories: parsed.categories,
    cancelled: parsed.cancelled,
    contentHash: hash({ raw: parsed.raw, problems: problems.map((p) => p.code) }),
    raw: parsed.raw,
  };
}

/** The column list of the bulk statements, in one place so the upsert and its record type agree. */
export const RECORD_COLUMNS = `
  "externalId" text, "feedId" text, state text, problems jsonb, title text, description text,
  "startsAt" timestamptz, "endsAt" timestamptz, "allDay" boolean, "timeZone" text, "placeText" text,
  "venueName" text, city text, country text, latitude double precision, longitude double precision,
  "geoConfidence" double precision, "venueId" text, cell text, url text, "imageUrl" text, categories jsonb,
  cancelled boolean, "contentHash" text, raw jsonb`;
