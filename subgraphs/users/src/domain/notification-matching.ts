import { localTime, zonedToUtc } from '@eventgraph/runtime';
import { hhmm, type MinuteWindow, type Preferences } from './notification-preferences';

/** What the matcher knows of an event (from its bus announcement). */
export interface EventFacts {
  eventId: string;
  title: string;
  categories: readonly string[];
  tags: readonly string[];
  startsAt: Date;
  latitude: number | null;
  longitude: number | null;
  /** FREE events have no price: they are within any range */
  priceMin: number | null;
  priceMax: number | null;
  currency: string | null;
}

/** How a candidate relates to the event besides its preferences. */
export interface Relation {
  followsOrganization: boolean;
  followsOwner: boolean;
}

/** Why a notification was sent, in a fixed order: first what interested the user, then the filters it passed. */
export const REASON_KINDS = [
  'FOLLOWED_ORGANIZATION',
  'FOLLOWED_PERSON',
  'CATEGORY',
  'KEYWORD',
  'DAY_AND_TIME',
  'DISTANCE',
  'PRICE',
] as const;
export type ReasonKind = (typeof REASON_KINDS)[number];
export interface Reason {
  kind: ReasonKind;
  detail: string;
}

const WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const EARTH_RADIUS_KM = 6371.0088;

/**
 * The words of an event a keyword can match: single words of its title, tags and categories and each pair
 * of neighbouring words ("live music"), lowercase. Keywords are compared as whole terms so the candidates
 * come from an index (`keywords && terms`), not from scanning every user's list.
 */
export function eventTerms(e: Pick<EventFacts, 'title' | 'tags' | 'categories'>): string[] {
  const terms = new Set<string>();
  for (const text of [e.title, ...e.tags, ...e.categories]) {
    const words = text
      .toLowerCase()
      .normalize('NFKC')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    words.forEach((w, i) => {
      terms.add(w);
      if (i > 0) terms.add(`${words[i - 1]} ${w}`);
    });
  }
  return [...terms];
}

/** Great-circle distance in km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const inWindow = (minute: number, w: MinuteWindow) =>
  w.from < w.to ? minute >= w.from && minute < w.to : minute >= w.from || minute < w.to;

/** ISO weekday (1 = Monday) of a local date. */
const isoWeekday = (t: { year: number; month: number; day: number }) =>
  ((new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7) + 1;

/**
 * Does the event match the user's preferences, and why? Something must interest the user (a followed
 * organisation or person, a category, a keyword), and the event must pass every filter the user set
 * (days and time windows in the user's zone, distance from home, price range). Null: no notification.
 */
export function matchEvent(prefs: Preferences, relation: Relation, event: EventFacts): Reason[] | null {
  const reasons: Reason[] = [];
  if (relation.followsOrganization) reasons.push({ kind: 'FOLLOWED_ORGANIZATION', detail: 'you follow its organiser' });
  if (relation.followsOwner) reasons.push({ kind: 'FOLLOWED_PERSON', detail: 'you follow the person who created it' });
  const categories = new Set(event.categories.map((c) => c.toLowerCase()));
  for (const c of prefs.categories) if (categories.has(c)) reasons.push({ kind: 'CATEGORY', detail: c });
  if (prefs.keywords.length) {
    const terms = new Set(eventTerms(event));
    for (const k of prefs.keywords) if (terms.has(k)) reasons.push({ kind: 'KEYWORD', detail: k });
  }
  if (reasons.length === 0) return null;

  if (prefs.days.length || prefs.timeWindows.length) {
    const local = localTime(prefs.timeZone, event.startsAt);
    const weekday = isoWeekday(local);
    const minute = local.hour * 60 + local.minute;
    if (prefs.days.length && !prefs.days.includes(weekday)) return null;
    if (prefs.timeWindows.length && !prefs.timeWindows.some((w) => inWindow(minute, w))) return null;
    reasons.push({ kind: 'DAY_AND_TIME', detail: `${WEEKDAYS[weekday]} ${hhmm(minute)} (${prefs.timeZone})` });
  }
  if (prefs.maxDistanceKm != null && prefs.homeLatitude != null && prefs.homeLongitude != null) {
    // an event without a place cannot be shown to be near: a distance filter leaves it out
    if (event.latitude == null || event.longitude == null) return null;
    const km = distanceKm({ lat: prefs.homeLatitude, lon: prefs.homeLongitude }, { lat: event.latitude, lon: event.longitude });
    if (km > prefs.maxDistanceKm) return null;
    reasons.push({ kind: 'DISTANCE', detail: `${km.toFixed(1)} km from home (at most ${prefs.maxDistanceKm} km)` });
  }
  if (prefs.currency && (prefs.priceMin != null || prefs.priceMax != null)) {
    const low = event.priceMin ?? event.priceMax;
    const high = event.priceMax ?? event.priceMin;
    if (low != null && high != null) {
      if (event.currency?.toUpperCase() !== prefs.currency) return null;
      if (prefs.priceMax != null && low > prefs.priceMax) return null;
      if (prefs.priceMin != null && high < prefs.priceMin) return null;
    }
    const detail = low == null ? 'free' : `${low}–${high} ${prefs.currency} (minor units)`;
    reasons.push({ kind: 'PRICE', detail });
  }
  return reasons;
}

/**
 * When a notification made at `now` may reach the user: at once, or (inside quiet hours) when they end,
 * in the user's zone.
 */
export function deliveryTime(prefs: Pick<Preferences, 'quietFrom' | 'quietTo' | 'timeZone'>, now: Date): Date {
  if (prefs.quietFrom == null || prefs.quietTo == null) return now;
  const local = localTime(prefs.timeZone, now);
  const minute = local.hour * 60 + local.minute;
  if (!inWindow(minute, { from: prefs.quietFrom, to: prefs.quietTo })) return now;
  // the end is later today, or (a window across midnight entered before midnight) tomorrow
  const endDay = prefs.quietFrom > prefs.quietTo && minute >= prefs.quietFrom ? 1 : 0;
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + endDay));
  return new Date(
    zonedToUtc(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: Math.floor(prefs.quietTo / 60),
        minute: prefs.quietTo % 60,
        second: 0,
      },
      prefs.timeZone,
    ),
  );
}

/** The start of the user's local day containing `at` (the daily cap counts from here). */
export function startOfLocalDay(timeZone: string, at: Date): Date {
  const t = localTime(timeZone, at);
  return new Date(zonedToUtc({ year: t.year, month: t.month, day: t.day, hour: 0, minute: 0, second: 0 }, timeZone));
}

/**
 * The daily digest: what was folded on a local day that has ended is sent in one message, once quiet hours allow.
 * Returns the instant before which folded notifications are due at `now`, or null while quiet hours hold them.
 */
export function digestDueBefore(prefs: Pick<Preferences, 'quietFrom' | 'quietTo' | 'timeZone'>, now: Date): Date | null {
  if (deliveryTime(prefs, now) > now) return null;
  return startOfLocalDay(prefs.timeZone, now);
}

/** Over the day's cap, a notification is folded into the digest instead of being sent on its own. */
export const foldsIntoDigest = (sentToday: number, dailyCap: number) => sentToday >= dailyCap;
