/**
 * Layer-1 public events as ingest announces them on the bus, and what each announcement does to the stored
 * event. Pure: the consumer (../source-events.ts) reads the row, asks here, writes what it is told.
 *
 * Topics (payloads defined here; subgraphs never import each other):
 * - `ingest.public_event.upserted`: the canonical event as it is now (created or changed)
 * - `ingest.public_event.cancelled`: none of its source records remain, or the feed cancelled it: it stays, cancelled
 * - `ingest.public_event.withdrawn`: a moderator rejected it after publication: it leaves public reads (archived)
 * Every payload carries the canonical event's `version`, monotonic per event: an announcement whose version is not
 * above the one applied changes nothing, so redeliveries and late arrivals are harmless (exactly once in effect).
 */
import { canonicalTimeZone } from './schedule';
import { labels, LIMITS, roundCoordinate, sanitizeDescription, urlProblems } from './event-details';
import type { EventStatus } from './event-lifecycle';

export const SOURCE_EVENT_TOPICS = {
  upserted: 'ingest.public_event.upserted',
  cancelled: 'ingest.public_event.cancelled',
  withdrawn: 'ingest.public_event.withdrawn',
} as const;

export interface SourcePlace {
  text: string | null;
  venueName: string | null;
  city: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The `ingest.public_event.upserted` payload. */
export interface PublicEventUpserted {
  canonicalEventId: string;
  version: number;
  title: string;
  description: string;
  startsAt: string;
  endsAt: string | null;
  allDay: boolean;
  timeZone: string | null;
  place: SourcePlace;
  url: string | null;
  imageUrl: string | null;
  categories: string[];
  sourceCount: number;
}

/** The `ingest.public_event.cancelled` and `.withdrawn` payloads. */
export interface PublicEventEnded {
  canonicalEventId: string;
  version: number;
}

/** The columns of an Event row a Layer-1 event sets. */
export interface SourceEventFields {
  title: string;
  slug: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  allDay: boolean;
  timeZone: string | null;
  locationName: string | null;
  latitude: number | null;
  longitude: number | null;
  externalUrl: string | null;
  imageUrls: string[];
  categories: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TITLE = 200;
const MAX_LOCATION = 200;
/** an end a source did not give: one day for an all-day event, else this long (a calendar's usual default) */
export const DEFAULT_DURATION_MS = 60 * 60_000;
const DAY_MS = 86_400_000;

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);
const instant = (value: unknown): Date | null => {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};
const coordinate = (value: unknown, limit: number): number | null =>
  typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit ? roundCoordinate(value) : null;
const httpUrl = (value: unknown): string | null => {
  const url = text(value);
  return url && urlProblems('url', [url]).length === 0 ? url : null;
};

/** The id and version every Layer-1 announcement carries; a payload without them can never apply. */
export function parseEnded(payload: Record<string, unknown>): Parsed<PublicEventEnded> {
  const { canonicalEventId, version } = payload;
  if (typeof canonicalEventId !== 'string' || !UUID.test(canonicalEventId))
    return { ok: false, problem: 'canonicalEventId: not a uuid' };
  if (!Number.isSafeInteger(version) || (version as number) < 0) return { ok: false, problem: 'version: not a whole number' };
  return { ok: true, value: { canonicalEventId: canonicalEventId.toLowerCase(), version: version as number } };
}

/**
 * An upserted payload as Event columns. Required facts (id, version, title, a valid start) refuse the payload;
 * an optional one that is malformed (a bad URL, zone or coordinate) is dropped, keeping the rest of the event.
 */
export function parseUpserted(
  payload: Record<string, unknown>,
): Parsed<{ id: string; version: number; fields: SourceEventFields }> {
  const ids = parseEnded(payload);
  if (!ids.ok) return ids;
  const title = text(payload.title);
  if (!title) return { ok: false, problem: 'title: missing' };
  const startsAt = instant(payload.startsAt);
  if (!startsAt) return { ok: false, problem: 'startsAt: not an ISO instant' };
  const allDay = payload.allDay === true;
  const givenEnd = instant(payload.endsAt);
  const endsAt =
    givenEnd && givenEnd.getTime() > startsAt.getTime()
      ? givenEnd
      : new Date(startsAt.getTime() + (allDay ? DAY_MS : DEFAULT_DURATION_MS));
  const place = (payload.place ?? {}) as Record<string, unknown>;
  const latitude = coordinate(place.latitude, 90);
  const longitude = coordinate(place.longitude, 180);
  const hasCoordinates = latitude != null && longitude != null;
  const description = typeof payload.description === 'string' ? payload.description.slice(0, LIMITS.description) : '';
  const categories = Array.isArray(payload.categories)
    ? labels(
        'categories',
        payload.categories.filter((c): c is string => typeof c === 'string'),
        LIMITS.categories,
      )
        .values.filter((c) => c.length <= LIMITS.label)
        .slice(0, LIMITS.categories)
    : [];
  const zone = text(payload.timeZone);
  const imageUrl = httpUrl(payload.imageUrl);
  const shortTitle = title.slice(0, MAX_TITLE);
  return {
    ok: true,
    value: {
      id: ids.value.canonicalEventId,
      version: ids.value.version,
      fields: {
        title: shortTitle,
        slug: sourceEventSlug(shortTitle, ids.value.canonicalEventId),
        description: sanitizeDescription(description),
        startsAt,
        endsAt,
        allDay,
        timeZone: zone ? (canonicalTimeZone(zone) ?? null) : null,
        locationName: placeLabel(place),
        latitude: hasCoordinates ? latitude : null,
        longitude: hasCoordinates ? longitude : null,
        externalUrl: httpUrl(payload.url),
        imageUrls: imageUrl ? [imageUrl] : [],
        categories,
      },
    },
  };
}

/**
 * Where a Layer-1 event is, as one line: the venue (or the feed's own text) and the city, e.g. "Kulturbrauerei,
 * Berlin". Searched like a venue's name and city (the discovery trigger indexes locationName).
 */
export function placeLabel(place: Record<string, unknown>): string | null {
  const parts = [text(place.venueName) ?? text(place.text), text(place.city)].filter((p): p is string => p != null);
  const unique = parts.filter((p, i) => !parts.slice(0, i).some((q) => q.toLowerCase().includes(p.toLowerCase())));
  const label = unique.join(', ').slice(0, MAX_LOCATION);
  return label || null;
}

/** A readable, unique slug: the title's words (ASCII) and the first 8 hex digits of the canonical id. */
export function sourceEventSlug(title: string, id: string): string {
  const words = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  const suffix = id.replace(/-/g, '').slice(0, 8).toLowerCase();
  return words ? `${words}-${suffix}` : `event-${suffix}`;
}

/** What the stored side knows: the event row's status and applied version, and a tombstone that came first. */
export interface StoredSourceEvent {
  status: EventStatus;
  sourceVersion: number | null;
}
export interface Tombstone {
  version: number;
  status: EventStatus;
}

export type SourceEventDecision =
  /** nothing to do: an old or repeated announcement */
  | { action: 'ignore'; reason: 'stale' }
  /** write the fields (create or update) at `version` with `status` */
  | { action: 'write'; version: number; status: EventStatus }
  /** only the status changes, at `version` */
  | { action: 'set-status'; version: number; status: EventStatus }
  /** the event is not known yet: remember the ending for when its data arrives */
  | { action: 'remember'; version: number; status: EventStatus };

export type SourceAnnouncement =
  { kind: 'upserted'; version: number } | { kind: 'cancelled'; version: number } | { kind: 'withdrawn'; version: number };

/** The status each announcement leads to: published, cancelled (still shown), withdrawn (archived: hidden). */
export const STATUS_OF: Record<SourceAnnouncement['kind'], EventStatus> = {
  upserted: 'PUBLISHED',
  cancelled: 'CANCELLED',
  withdrawn: 'ARCHIVED',
};

/**
 * What an announcement does. Ingest's version order is the authority: the newest announcement wins whatever
 * arrived before it, so a withdrawn or cancelled event that ingest publishes again (a later version) comes back.
 */
export function decideSourceEvent(
  announcement: SourceAnnouncement,
  stored: StoredSourceEvent | null,
  tombstone: Tombstone | null,
): SourceEventDecision {
  const { kind, version } = announcement;
  if (stored && stored.sourceVersion != null && version <= stored.sourceVersion) return { action: 'ignore', reason: 'stale' };
  if (kind === 'upserted') {
    // an ending that arrived before this data and is newer still decides the status
    if (!stored && tombstone && tombstone.version >= version)
      return { action: 'write', version: tombstone.version, status: tombstone.status };
    return { action: 'write', version, status: STATUS_OF.upserted };
  }
  if (!stored) {
    if (tombstone && tombstone.version >= version) return { action: 'ignore', reason: 'stale' };
    return { action: 'remember', version, status: STATUS_OF[kind] };
  }
  return { action: 'set-status', version, status: STATUS_OF[kind] };
}
