/**
 * Rules of event discovery (searchEvents, trendingEvents): input validation, sort keys,
 * date-only ranges in a time zone, the geo bounding box, and the trending weights. No database here.
 */
import { badInput, parseCalendarDay, type CursorKeyKind } from '@eventgraph/runtime';
import { PUBLIC_STATUSES, type EventStatus } from './event-lifecycle';
import { roundCoordinate } from './event-details';
import { canonicalTimeZone } from './schedule';

export const SEARCH_SORTS = ['START', 'DISTANCE', 'RELEVANCE', 'POPULARITY'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
export const COSTS = ['FREE', 'PAID', 'ANY'] as const;
export type Cost = (typeof COSTS)[number];

export const MAX_RADIUS_KM = 20000;
export const MAX_TEXT = 200;
export const MAX_CATEGORIES = 20;
/**
 * totalCount is exact up to this many matches (read in the same statement as the page, which sorts them anyway);
 * above it, the query planner's estimate, flagged by totalCountIsEstimate (counting a large result costs as much as
 * reading it)
 */
export const EXACT_COUNT_LIMIT = 5000;
/** mean Earth radius (IUGG), the one the SQL haversine uses too */
export const EARTH_RADIUS_KM = 6371.0088;

/**
 * Trending score of an event starting within the next 7 days:
 * views of the last 7 days × 1 + shares of the last 7 days × 5 + going × 10 + interested × 3.
 * (RSVP counts are the current totals the users subgraph reports; views and shares are counted per day.)
 * `popularity` (the POPULARITY sort) uses the same weights over all-time counters.
 */
export const TRENDING_WEIGHTS = { view: 1, share: 5, going: 10, interested: 3 } as const;
export const TRENDING_DAYS = 7;

/** What FREE and PAID mean in terms of CostType: free entry (donations welcome) vs a price to pay. */
export const COST_TYPES: Record<Exclude<Cost, 'ANY'>, readonly string[]> = {
  FREE: ['FREE', 'DONATION'],
  PAID: ['PAID', 'VARIABLE'],
};

export interface SearchFilterInput {
  text?: string | null;
  from?: Date | null;
  to?: Date | null;
  fromDate?: string | null;
  toDate?: string | null;
  timeZone?: string | null;
  categories?: readonly string[] | null;
  near?: { latitude: number; longitude: number; radiusKm: number } | null;
  venueId?: string | null;
  organizationId?: string | null;
  cost?: Cost | null;
  statuses?: readonly EventStatus[] | null;
  openNow?: boolean | null;
}

export interface Near {
  latitude: number;
  longitude: number;
  radiusKm: number;
}

/** A validated, normalised filter: what the SQL is built from. */
export interface SearchFilter {
  text: string | null;
  /** the event overlaps [from, to): it ends after `from` and starts before `to` */
  from: Date | null;
  to: Date | null;
  categories: string[] | null;
  near: Near | null;
  venueId: string | null;
  organizationId: string | null;
  costTypes: readonly string[] | null;
  statuses: readonly EventStatus[];
  /** openNow: the event's venue is open at this instant (the search's clock) */
  openAt: Date | null;
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(instant))
    .find((p) => p.type === 'timeZoneName')!.value; // "GMT", "GMT+02:00", "GMT-09:30"
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

function parseDate(field: string, value: string): { y: number; m: number; d: number } {
  const { year, month, day } = parseCalendarDay(field, value);
  return { y: year, m: month, d: day };
}

/** The instant a local day begins in `timeZone` (midnight, or the first instant after a DST gap). */
export function startOfDay(date: { y: number; m: number; d: number }, timeZone: string): Date {
  const local = Date.UTC(date.y, date.m - 1, date.d);
  let instant = local - zoneOffsetMs(local, timeZone);
  const corrected = local - zoneOffsetMs(instant, timeZone);
  if (corrected !== instant) instant = Math.min(instant, corrected);
  return new Date(instant);
}

/** [from, to) of the local days `fromDate` … `toDate` (both inclusive) in `timeZone`. */
export function dayRange(fromDate: string | null | undefined, toDate: string | null | undefined, timeZone: string) {
  const from = fromDate != null ? startOfDay(parseDate('fromDate', fromDate), timeZone) : null;
  let to: Date | null = null;
  if (toDate != null) {
    const { y, m, d } = parseDate('toDate', toDate);
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    to = startOfDay({ y: next.getUTCFullYear(), m: next.getUTCMonth() + 1, d: next.getUTCDate() }, timeZone);
  }
  return { from, to };
}

const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
const earlier = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));

export function checkNear(near: Near, field = 'near'): Near {
  const { latitude, longitude, radiusKm } = near;
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90)
    throw badInput(`${field}.latitude`, 'must be between -90 and 90');
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180)
    throw badInput(`${field}.longitude`, 'must be between -180 and 180');
  if (!Number.isFinite(radiusKm) || radiusKm <= 0 || radiusKm > MAX_RADIUS_KM) {
    throw badInput(`${field}.radiusKm`, `must be more than 0 and at most ${MAX_RADIUS_KM}`);
  }
  return { latitude: roundCoordinate(latitude), longitude: roundCoordinate(longitude), radiusKm };
}

/** Validates a search filter against the sort asked for; throws BAD_USER_INPUT naming the field. */
export function checkSearch(
  input: SearchFilterInput | null | undefined,
  sort: SearchSort,
  parseId: (field: string, id: string) => string,
  now: Date = new Date(),
): SearchFilter {
  const f = input ?? {};
  const text = f.text?.trim() || null;
  if (text && text.length > MAX_TEXT) throw badInput('text', `at most ${MAX_TEXT} characters`);
  if (f.from && f.to && f.from.getTime() >= f.to.getTime()) throw badInput('to', 'must be after from');
  // from/to and fromDate/toDate may be combined: the range is their intersection
  const timeZone = canonicalTimeZone(f.timeZone ?? 'UTC');
  if (!timeZone) throw badInput('timeZone', `"${f.timeZone}" is not an IANA time zone`);
  const days = dayRange(f.fromDate, f.toDate, timeZone);
  if (days.from && days.to && days.from.getTime() >= days.to.getTime()) throw badInput('toDate', 'must not be before fromDate');
  const from = later(f.from ?? null, days.from);
  const to = earlier(f.to ?? null, days.to);
  if (from && to && from.getTime() >= to.getTime()) throw badInput('to', 'the range is empty');
  let categories: string[] | null = null;
  if (f.categories != null) {
    if (f.categories.length > MAX_CATEGORIES) throw badInput('categories', `at most ${MAX_CATEGORIES}`);
    // stored categories are lowercased labels (domain/event-details)
    categories = [...new Set(f.categories.map((c) => c.trim().toLowerCase()).filter(Boolean))];
    if (!categories.length) categories = null;
  }
  const near = f.near ? checkNear(f.near) : null;
  if (sort === 'DISTANCE' && !near) throw badInput('sort', 'DISTANCE needs filter.near');
  if (sort === 'RELEVANCE' && !text) throw badInput('sort', 'RELEVANCE needs filter.text');
  const statuses = f.statuses?.length ? [...new Set(f.statuses)] : [...PUBLIC_STATUSES];
  return {
    text,
    from,
    to,
    categories,
    near,
    venueId: f.venueId ? parseId('venueId', f.venueId) : null,
    organizationId: f.organizationId ? parseId('organizationId', f.organizationId) : null,
    costTypes: f.cost && f.cost !== 'ANY' ? COST_TYPES[f.cost] : null,
    statuses,
    openAt: f.openNow ? now : null,
  };
}

/**
 * The keyset of a result in a sort: START (startsAt ascending), DISTANCE (km ascending), RELEVANCE (rank
 * descending), POPULARITY (popularity descending), then id ascending. A cursor (the runtime's, scoped by the sort)
 * carries the sort's key and the id, so a page continues after the last row seen, whatever was inserted meanwhile.
 */
export const cursorKeyKind = (sort: SearchSort): CursorKeyKind => (sort === 'START' ? 'time' : 'number');

/** A box around `near` containing the whole circle; longitude bounds are null when the box would wrap (poles, antimeridian). */
export function boundingBox(near: Near): { minLat: number; maxLat: number; minLng: number | null; maxLng: number | null } {
  const dLat = (near.radiusKm / EARTH_RADIUS_KM) * (180 / Math.PI);
  const minLat = near.latitude - dLat;
  const maxLat = near.latitude + dLat;
  if (minLat <= -90 || maxLat >= 90)
    return { minLat: Math.max(minLat, -90), maxLat: Math.min(maxLat, 90), minLng: null, maxLng: null };
  // widest longitude span of the circle is at the latitude nearest to the pole
  const dLng =
    Math.asin(Math.min(1, Math.sin(near.radiusKm / EARTH_RADIUS_KM) / Math.cos((near.latitude * Math.PI) / 180))) *
    (180 / Math.PI);
  const minLng = near.longitude - dLng;
  const maxLng = near.longitude + dLng;
  if (minLng < -180 || maxLng > 180 || dLng >= 90) return { minLat, maxLat, minLng: null, maxLng: null };
  return { minLat, maxLat, minLng, maxLng };
}

/** Great-circle distance in km (the same haversine the SQL computes). */
export function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLng = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
