/**
 * Search keys: coarse place and time words that the discovery trigger adds to every event's search document (SQL
 * function "event_search_keys", migrations search_keys and search_place_month_keys), so that keyword, radius and
 * date range meet in one GIN index scan instead of a keyword scan ANDed with a latitude/longitude box. A search asks
 * for the keys of the cells around its circle and of the months (or days) of its range; the exact radius and range
 * are still checked on the rows the index finds. Keys start with an upper-case letter: text search lower-cases every
 * word it makes, so no keyword can match a key. This file and the SQL function must build the same strings.
 *
 * - place `G<k>y<i>x<j>`: the cell of 1/k degree, i = floor((latitude + 90) k), j = floor((longitude + 180) k),
 *   for k = 1, 3, 10, 30 and 100 (cells of ~111, 37, 11, 3.7 and 1.1 km north to south)
 * - time, by UTC day, for the days an event overlaps: `D<yyyymmdd>` each day of an event of at most 31 days,
 *   `L<yyyymm>` each month of a longer one, `M<yyyymm>` each month of any event, `Tall` instead of all of these
 *   for an event over more than 60 months
 * - place and month together, `C<k>y<i>x<j>m<yyyymm>` for each cell and month of an event of at most 31 days,
 *   `C<k>y<i>x<j>L` for each cell of a longer one: a radius and a range as one key, whose rows GIN need not
 *   intersect from two long lists (on a million interleaved events, 5 ms instead of 16 for a city and a month)
 */
import { EARTH_RADIUS_KM, boundingBox, haversineKm, type Near } from './search';

export const CELLS_PER_DEGREE = [100, 30, 10, 3, 1] as const;
/** at most this many cells in one search: more entries cost the GIN scan more than a coarser level overfetches */
export const MAX_CELLS = 64;
/** an event over more days is keyed by its months (`L`), a range over more days searches months (`M`) */
export const MAX_DAY_KEYS = 31;
/** an event over more months is keyed `Tall`, a range over more months uses no time keys */
export const MAX_MONTH_KEYS = 60;
/** at most this many entries (cells × (months + 1)) in a place-and-month key: a coarser level costs less beyond */
export const MAX_PLACE_MONTH_KEYS = 24;
/** a range of at most this many days also asks for its days (few entries, and far fewer rows than its months) */
export const FEW_DAYS = 7;
/** cells kept when the circle comes this close (km): float rounding never drops an edge cell */
const MARGIN_KM = 0.001;

const DAY_MS = 86_400_000;
const rad = (deg: number) => (deg * Math.PI) / 180;

const ymd = (day: Date) => day.toISOString().slice(0, 10).replaceAll('-', '');
const ym = (day: Date) => day.toISOString().slice(0, 7).replace('-', '');

/** Shortest great-circle distance (km) from `near` to a latitude/longitude rectangle (not across the antimeridian). */
export function distanceToRectKm(
  near: Pick<Near, 'latitude' | 'longitude'>,
  rect: { minLat: number; maxLat: number; minLng: number; maxLng: number },
): number {
  const clampLat = (lat: number) => Math.min(rect.maxLat, Math.max(rect.minLat, lat));
  if (near.longitude >= rect.minLng && near.longitude <= rect.maxLng) {
    return Math.abs(near.latitude - clampLat(near.latitude)) * (Math.PI / 180) * EARTH_RADIUS_KM;
  }
  // for a fixed latitude the nearer meridian edge is nearest; along that meridian (a great circle) the distance falls
  // towards tan φ = tan φ0 / cos Δλ (Δλ < 90°), or towards one end of the edge (Δλ ≥ 90°)
  const edge = Math.abs(near.longitude - rect.minLng) < Math.abs(near.longitude - rect.maxLng) ? rect.minLng : rect.maxLng;
  const dLng = rad(Math.abs(near.longitude - edge));
  const at = (latitude: number) => haversineKm(near, { latitude, longitude: edge });
  if (dLng >= Math.PI / 2) return Math.min(at(rect.minLat), at(rect.maxLat));
  return at(clampLat((Math.atan(Math.tan(rad(near.latitude)) / Math.cos(dLng)) * 180) / Math.PI));
}

/** The cells (`<k>y<i>x<j>`) of level k that a circle touches; null when more than `max` lie in its box. */
function cellsAt(near: Near, k: number, max: number): string[] | null {
  const box = boundingBox(near);
  if (box.minLng == null || box.maxLng == null) return null;
  const [i0, i1] = [Math.floor((box.minLat + 90) * k), Math.floor((box.maxLat + 90) * k)];
  const [j0, j1] = [Math.floor((box.minLng + 180) * k), Math.floor((box.maxLng + 180) * k)];
  if ((i1 - i0 + 1) * (j1 - j0 + 1) > max * 2) return null; // corners outside the circle drop at most ~half
  const cells: string[] = [];
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      const cell = { minLat: i / k - 90, maxLat: (i + 1) / k - 90, minLng: j / k - 180, maxLng: (j + 1) / k - 180 };
      if (distanceToRectKm(near, cell) <= near.radiusKm + MARGIN_KM) cells.push(`${k}y${i}x${j}`);
    }
  }
  return cells.length <= max ? cells : null;
}

/**
 * The place keys of the cells a circle touches, at the finest level with at most MAX_CELLS of them; null when no
 * level fits or the circle crosses the antimeridian or a pole (the search then uses the latitude/longitude box).
 */
export function placeKeys(near: Near): string[] | null {
  for (const k of CELLS_PER_DEGREE) {
    const cells = cellsAt(near, k, MAX_CELLS);
    if (cells) return cells.map((c) => `G${c}`);
  }
  return null;
}

/** The place keys of a point, one per level (coarsest last): the cells it lies in, as the search document has them. */
export function pointCells(latitude: number, longitude: number): string[] {
  return CELLS_PER_DEGREE.map((k) => `G${k}y${Math.floor((latitude + 90) * k)}x${Math.floor((longitude + 180) * k)}`);
}

/** Is this a place key (`G<k>y<i>x<j>`, k one of CELLS_PER_DEGREE) of a cell on the globe? */
export function isPlaceCell(cell: string): boolean {
  const match = /^G(\d{1,3})y(\d{1,5})x(\d{1,5})$/.exec(cell);
  if (!match) return false;
  const k = Number(match[1]);
  return (CELLS_PER_DEGREE as readonly number[]).includes(k) && Number(match[2]) <= 180 * k && Number(match[3]) <= 360 * k;
}

/**
 * The place-and-month keys of a circle and a range: each cell with each month of the range, and each cell's long
 * events, at the finest level with at most MAX_PLACE_MONTH_KEYS of them; null when none fits (or either is open).
 */
export function placeMonthKeys(near: Near, from: Date | null, to: Date | null): string[] | null {
  if (!from || !to || to <= from) return null;
  const months = monthsBetween(dayOf(from.getTime()), dayOf(to.getTime() - 1)).map(ym);
  for (const k of CELLS_PER_DEGREE) {
    const cells = cellsAt(near, k, Math.floor(MAX_PLACE_MONTH_KEYS / (months.length + 1)));
    if (cells?.length) return cells.flatMap((c) => [...months.map((m) => `C${c}m${m}`), `C${c}L`]);
  }
  return null;
}

/**
 * The place-and-month condition of a circle and a range: any of `keys`, or, for a first or last month the range
 * covers for at most FEW_DAYS days (when it spans several), one of that month's keys together with one of those
 * days (`D`). An event of at most 31 days has a day key for each day it overlaps, so the month's other events are
 * no longer candidates (a range from 2 May to 2 June asks June's keys only with 1 June). Null as placeMonthKeys.
 */
export interface PlaceMonthCondition {
  keys: string[];
  edges: Array<{ keys: string[]; days: string[] }>;
}

export function placeMonthCondition(near: Near, from: Date | null, to: Date | null): PlaceMonthCondition | null {
  const keys = placeMonthKeys(near, from, to);
  if (!keys || !from || !to) return null;
  const first = dayOf(from.getTime());
  const last = dayOf(to.getTime() - 1);
  const months = monthsBetween(first, last);
  if (months.length < 2) return { keys, edges: [] };
  const edges: PlaceMonthCondition['edges'] = [];
  for (const month of [months[0]!, months[months.length - 1]!]) {
    const nextMonth = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1);
    const start = Math.max(month.getTime(), first.getTime());
    const end = Math.min(nextMonth - DAY_MS, last.getTime());
    const count = (end - start) / DAY_MS + 1;
    if (count > FEW_DAYS) continue;
    const suffix = `m${ym(month)}`;
    edges.push({
      keys: keys.filter((k) => k.endsWith(suffix)),
      days: dayKeys(new Date(start), count),
    });
  }
  const restricted = new Set(edges.flatMap((edge) => edge.keys));
  return { keys: keys.filter((k) => !restricted.has(k)), edges };
}

/** The condition as a tsquery. */
export const placeMonthQuery = (condition: PlaceMonthCondition): string =>
  [
    ...(condition.keys.length ? [anyKeyQuery(condition.keys)] : []),
    ...condition.edges.map((edge) => `(${anyKeyQuery(edge.keys)}) & (${anyKeyQuery(edge.days)})`),
  ].join(' | ');

/** Does an event with these keys meet the condition (what the tsquery asks, for tests and reasoning)? */
export const meetsPlaceMonth = (condition: PlaceMonthCondition, eventKeys: readonly string[]): boolean =>
  eventKeys.some((k) => condition.keys.includes(k)) ||
  condition.edges.some((edge) => eventKeys.some((k) => edge.keys.includes(k)) && eventKeys.some((k) => edge.days.includes(k)));

const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS);
/** `D<yyyymmdd>` of `count` days from `first` on. */
const dayKeys = (first: Date, count: number) =>
  Array.from({ length: count }, (_, n) => `D${ymd(new Date(first.getTime() + n * DAY_MS))}`);

/** Month starts (UTC) from the month of `first` to the month of `last`. */
function monthsBetween(first: Date, last: Date): Date[] {
  const months: Date[] = [];
  for (let m = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1); m <= last.getTime();) {
    const at = new Date(m);
    months.push(at);
    m = Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1);
  }
  return months;
}

/**
 * The time keys of a range [from, to): any event overlapping it has one of them. Days (with the months of long
 * events and `Tall`) for a range of at most MAX_DAY_KEYS days, months for one of at most MAX_MONTH_KEYS months,
 * else null (an open or very long range leaves time to the startsAt index).
 */
export function timeKeys(from: Date | null, to: Date | null): string[] | null {
  if (!from || !to || to <= from) return null;
  const first = dayOf(from.getTime());
  const last = dayOf(to.getTime() - 1); // the day of the range's last instant
  const months = monthsBetween(first, last);
  const days = (last.getTime() - first.getTime()) / DAY_MS + 1;
  if (days <= MAX_DAY_KEYS) {
    return [...dayKeys(first, days), ...months.map((m) => `L${ym(m)}`), 'Tall'];
  }
  if (months.length <= MAX_MONTH_KEYS) return [...months.map((m) => `M${ym(m)}`), 'Tall'];
  return null;
}

/** The day keys of a range of at most FEW_DAYS days (asked beside a place-and-month key), else null. */
export function fewDayKeys(from: Date | null, to: Date | null): string[] | null {
  const keys = timeKeys(from, to);
  const days = keys?.filter((k) => k.startsWith('D')).length ?? 0;
  return days > 0 && days <= FEW_DAYS ? keys : null;
}

/** Keys as a tsquery matching any of them (they are letters and digits: nothing to escape). */
export const anyKeyQuery = (keys: readonly string[]): string => keys.map((k) => `'${k}'`).join(' | ');
