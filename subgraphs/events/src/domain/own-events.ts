/**
 * Users' own events (Layer 3): what a user event may say about itself, and when it stands in for another
 * event in its owner's views. Pure: the caller reads the rows and writes the matches.
 */
import { coordinateProblems, type Problem } from './event-details';
import type { EventStatus } from './event-lifecycle';
import { isTimeZone } from './schedule';
import { haversineKm } from './search';

/** Ticketing and pricing are Layer-2 integrations of organisations: a user's event is free (or donation-based). */
export const ORG_ONLY_FIELDS = ['ticketUrl', 'priceMin', 'priceMax', 'currency'] as const;
/** Where a user's event is without a venue, and which event it stands for: organisations' events take these from their venue. */
export const USER_ONLY_FIELDS = ['timeZone', 'locationName', 'latitude', 'longitude', 'basedOnEventId'] as const;
export const USER_COST_TYPES: readonly string[] = ['FREE', 'DONATION'];
/** Sales states are for events with ticketing: a user's event goes DRAFT → PUBLISHED → CLOSED, or ARCHIVED. */
export const SALES_STATUSES: readonly EventStatus[] = ['ON_SALE', 'PAUSED'];
export const MAX_LOCATION_NAME = 200;

type Given = Record<string, unknown>;
const given = (input: Given, field: string) => input[field] !== undefined && input[field] !== null;

/** Fields of an organisation's event that a user's event may not set. */
export function orgOnlyProblems(input: Given): Problem[] {
  const problems: Problem[] = ORG_ONLY_FIELDS.filter((field) => given(input, field)).map((field) => ({
    field,
    message: "ticketing and prices are for organisations' events; a user's event is FREE or DONATION",
  }));
  if (given(input, 'costType') && !USER_COST_TYPES.includes(input.costType as string))
    problems.push({ field: 'costType', message: "a user's event is FREE or DONATION" });
  return problems;
}

/** Fields only a user's event has: an organisation's event is at its venue, in its venue's zone. */
export const userOnlyProblems = (input: Given): Problem[] =>
  USER_ONLY_FIELDS.filter((field) => given(input, field)).map((field) => ({
    field,
    message: "only a user's own event sets this; an organisation's event takes its place and time zone from its venue",
  }));

export interface Place {
  venueId?: string | null;
  timeZone?: string | null;
  locationName?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}

/** A user's event is at a venue (and in its zone), or somewhere of its own with a time zone of its own. */
export function placeProblems(place: Place): Problem[] {
  const problems: Problem[] = [];
  if (place.venueId) {
    if (place.timeZone != null)
      problems.push({ field: 'timeZone', message: "an event at a venue is in its venue's time zone; leave timeZone out" });
    if (place.latitude != null || place.longitude != null)
      problems.push({ field: 'latitude', message: 'an event at a venue has its coordinates; leave latitude and longitude out' });
  } else if (place.timeZone == null) {
    problems.push({ field: 'timeZone', message: 'an event without a venue needs an IANA time zone, e.g. Europe/Berlin' });
  } else if (!isTimeZone(place.timeZone)) {
    problems.push({ field: 'timeZone', message: `"${place.timeZone}" is not an IANA time zone` });
  }
  if (place.locationName != null && (place.locationName.trim() === '' || place.locationName.length > MAX_LOCATION_NAME))
    problems.push({ field: 'locationName', message: `1 to ${MAX_LOCATION_NAME} characters` });
  problems.push(...coordinateProblems(place.latitude, place.longitude));
  return problems;
}

// --- "a user's own event wins over a matching public event in that user's views" ---

/** Two places within this distance are the same place. */
export const SAME_PLACE_KM = 0.5;

export interface MatchableEvent {
  id: string;
  organizationId: string | null;
  ownerUserId: string | null;
  basedOnEventId?: string | null;
  title: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  venueId: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Titles compared without case, accents, punctuation or extra spaces: "Summer Sound!" = "summer  sound". */
export const normaliseTitle = (title: string): string =>
  title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

export function samePlace(a: MatchableEvent, b: MatchableEvent): boolean {
  if (a.venueId && b.venueId) return a.venueId === b.venueId;
  if (a.latitude == null || a.longitude == null || b.latitude == null || b.longitude == null) return false;
  const km = haversineKm({ latitude: a.latitude, longitude: a.longitude }, { latitude: b.latitude, longitude: b.longitude });
  return km <= SAME_PLACE_KM;
}

export const overlap = (a: MatchableEvent, b: MatchableEvent): boolean =>
  a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();

/**
 * Does the user event `own` stand in for `other` in its owner's views?
 * - explicitly: `own.basedOnEventId` names `other` (the user says "this is my copy of that event");
 * - automatically: `other` is an organisation's (or a source's) event, not archived, with the same normalised
 *   title, overlapping times and the same place (the same venue, or coordinates within SAME_PLACE_KM).
 * Never: an archived own event (it no longer stands for anything), or another of the owner's own events.
 */
export function replacement(own: MatchableEvent, other: MatchableEvent): 'explicit' | 'automatic' | null {
  if (!own.ownerUserId || own.status === 'ARCHIVED' || own.id === other.id) return null;
  if (other.ownerUserId === own.ownerUserId) return null;
  if (own.basedOnEventId === other.id) return 'explicit';
  // an organisation's or a source's event (Layer 1: neither organisation nor owner), never another user's
  if (other.ownerUserId || other.status === 'ARCHIVED') return null;
  const matches = normaliseTitle(own.title) === normaliseTitle(other.title) && overlap(own, other) && samePlace(own, other);
  return matches ? 'automatic' : null;
}

/** Friends are mutual follows: `userId` follows them and they follow `userId`. */
export function friendsOf(userId: string, follows: readonly { followerId: string; followeeId: string }[]): Set<string> {
  const following = new Set(follows.filter((f) => f.followerId === userId).map((f) => f.followeeId));
  return new Set(follows.filter((f) => f.followeeId === userId && following.has(f.followerId)).map((f) => f.followerId));
}
