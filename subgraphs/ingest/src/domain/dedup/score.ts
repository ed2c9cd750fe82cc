import type { NormalisedRecord } from '../records';
import { distanceKm } from '../normalise/geohash';
import { isCityCentre } from '../normalise/place';
import type { DedupSettings } from './settings';
import { titleSimilarity } from './similarity';

/** A canonical event as matching sees it. */
export interface CanonicalCandidate {
  id: string;
  title: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  latitude: number | null;
  longitude: number | null;
  venueId: string | null;
  city: string | null;
  urls: string[];
  externalIds: string[];
}

/** Why a record matches a candidate: each part 0..1 and their weighted total. */
export interface MatchExplanation {
  total: number;
  title: number;
  time: number;
  location: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** an all-day date, as a day number: feeds write midnight in UTC or in their zone, half a day either way */
const dayOf = (at: Date) => Math.floor((at.getTime() + 12 * HOUR) / DAY);

/**
 * 1 for the same start, falling fast with the hours between (doors at 19:00 and show at 20:00 still match,
 * the same night a day later does not). An all-day listing of the day a timed one falls on is close.
 */
export function timeProximity(
  a: { startsAt: Date; endsAt: Date | null; allDay: boolean },
  b: { startsAt: Date; endsAt: Date | null; allDay: boolean },
): number {
  if (a.allDay && b.allDay) {
    const days = Math.abs(dayOf(a.startsAt) - dayOf(b.startsAt));
    if (days === 0) return 1;
    // a multi-day event listed from another first day by one source: the ranges overlap
    const lastA = dayOf(a.endsAt ?? a.startsAt);
    const lastB = dayOf(b.endsAt ?? b.startsAt);
    const overlaps = dayOf(a.startsAt) <= lastB && dayOf(b.startsAt) <= lastA;
    return overlaps && lastA !== dayOf(a.startsAt) && lastB !== dayOf(b.startsAt) ? 0.6 : 0.2 / days ** 2;
  }
  if (a.allDay !== b.allDay) {
    const [day, timed] = a.allDay ? [a, b] : [b, a];
    const first = day.startsAt.getTime() - 14 * HOUR;
    const last = (day.endsAt ?? new Date(day.startsAt.getTime() + DAY)).getTime() + 14 * HOUR;
    return timed.startsAt.getTime() >= first && timed.startsAt.getTime() < last ? 0.8 : 0;
  }
  const hours = Math.abs(a.startsAt.getTime() - b.startsAt.getTime()) / HOUR;
  return 1 / (1 + (hours / 2) ** 2);
}

interface Located {
  latitude: number | null;
  longitude: number | null;
  venueId: string | null;
  city: string | null;
}

/** Unknown is neither for nor against a match. */
export const UNKNOWN_LOCATION = 0.5;

/**
 * 1 for the same known venue; otherwise by distance: the same building within a few hundred metres is 1, two
 * spots kilometres apart are far. A place known only by its city (geocoded to the city's centre) is near
 * anything in that city, and far from another city.
 */
export function locationProximity(a: Located, b: Located): number {
  if (a.venueId && b.venueId) return a.venueId === b.venueId ? 1 : 0.2;
  const sameCity = a.city !== null && b.city !== null ? fold(a.city) === fold(b.city) : null;
  if (a.latitude === null || a.longitude === null || b.latitude === null || b.longitude === null)
    return sameCity === null ? UNKNOWN_LOCATION : sameCity ? CITY_LEVEL_MATCH : 0;
  const km = distanceKm(a.latitude, a.longitude, b.latitude, b.longitude);
  const byDistance = km <= 0.3 ? 1 : 1 / (1 + ((km - 0.3) / 2) ** 2);
  if (sameCity === false && km > 2) return Math.min(byDistance, 0.1);
  const cityLevel = isCityCentre(a.latitude, a.longitude, a.city) || isCityCentre(b.latitude, b.longitude, b.city);
  return sameCity && cityLevel ? Math.max(byDistance, CITY_LEVEL_MATCH) : byDistance;
}

/** the same city, where one side knows no more than the city */
const CITY_LEVEL_MATCH = 0.75;

const fold = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

/**
 * The words of a record's own place, taken out of both titles before comparing them: its venue's name (or,
 * unmatched, the first part of its place text, where feeds put the venue) and its city.
 */
function placeWords(record: NormalisedRecord): string[] {
  const venue = record.place.venueName ?? record.place.text?.split(/[,;\n|]/)[0]?.trim() ?? null;
  return [venue, record.place.city].filter((w): w is string => !!w);
}

export function scoreMatch(record: NormalisedRecord, candidate: CanonicalCandidate, settings: DedupSettings): MatchExplanation {
  const title = titleSimilarity(record.title, candidate.title, {
    a: placeWords(record),
    b: candidate.city ? [candidate.city] : [],
  });
  const time = timeProximity(record, candidate);
  const location = locationProximity(
    {
      latitude: record.place.latitude,
      longitude: record.place.longitude,
      venueId: record.place.venueId,
      city: record.place.city,
    },
    candidate,
  );
  const { weights } = settings;
  const total = weights.title * title + weights.time * time + weights.location * location;
  return { total: round(total), title: round(title), time: round(time), location: round(location) };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
