import {
  badInput,
  DomainError,
  isPlatformService,
  parseId,
  parseSlug,
  requirePermission,
  requireAuthenticated,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import { canSeeEvent, userOf } from '../visibility';
import { builder } from '../builder';
import {
  labels,
  LIMITS,
  priceProblems,
  roundCoordinate,
  sanitizeDescription,
  urlProblems,
  type Problem,
} from '../domain/event-details';
import { canonicalTimeZone, checkSchedule } from '../domain/schedule';
import { organizerContactColumns } from '../domain/organizer-contact';
import { placeProblems, type Place } from '../domain/own-events';
import type { Event, Prisma } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { CostTypeEnum, VisibilityEnum, EventOriginEnum } from './event';
import { OrganizerContactInput } from './event-contact';

type InputFields = PothosSchemaTypes.InputFieldBuilder<
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never,
  'InputObject'
>;

/** The details an event is created with and can change later; all optional. */
const eventDetailFields = (t: InputFields) => ({
  description: t.string(),
  categories: t.stringList(),
  tags: t.stringList(),
  imageUrls: t.stringList(),
  costType: t.field({ type: CostTypeEnum }),
  priceMin: t.int(),
  priceMax: t.int(),
  currency: t.string(),
  externalUrl: t.string(),
  ticketUrl: t.string(),
  visibility: t.field({ type: VisibilityEnum }),
  organizerContact: t.field({
    type: OrganizerContactInput,
    description: 'whom attendees ask about the event (see OrganizerContactInput); null clears it',
  }),
});

export const CreateEventInput = builder.inputType('CreateEventInput', {
  fields: (t) => ({
    venueId: t.id({ required: true }),
    title: t.string({ required: true }),
    slug: t.string({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    ...eventDetailFields(t),
    origin: t.field({ type: EventOriginEnum, description: 'platform services only: SOURCE for events aggregated by ingest' }),
  }),
});

/** Where a user's own event is when it has no venue, and which event it stands for (user events only). */
const ownEventFields = (t: InputFields) => ({
  timeZone: t.string({ description: 'IANA zone; needed when there is no venue (an event at a venue is in its zone)' }),
  locationName: t.string({ description: 'free-text place, e.g. "Anna\'s garden"' }),
  latitude: t.float(),
  longitude: t.float(),
  basedOnEventId: t.id({
    description: 'an event this one stands for in your views: it is left out of your lists, search, feed and calendars',
  }),
});

export const CreateMyEventInput = builder.inputType('CreateMyEventInput', {
  description:
    "A signed-in user's own event (origin USER, no organisation). visibility: PRIVATE (default, you only), FRIENDS (you and people you follow who follow you back), UNLISTED (anyone with the link) or PUBLIC. A venue is optional; without one, timeZone is needed. Ticketing and prices are for organisations: costType FREE or DONATION.",
  fields: (t) => ({
    venueId: t.id({ description: "any venue (venues are public); its time zone and coordinates become the event's" }),
    title: t.string({ required: true }),
    slug: t.string({ required: true, description: 'unique among your own events' }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    ...eventDetailFields(t),
    ...ownEventFields(t),
  }),
});

export const UpdateEventInput = builder.inputType('UpdateEventInput', {
  description:
    "Only the fields given change; null clears an optional field. timeZone, locationName, latitude, longitude and basedOnEventId are for users' own events (whose venueId may also be null).",
  fields: (t) => ({
    venueId: t.id(),
    title: t.string(),
    slug: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    ...eventDetailFields(t),
    ...ownEventFields(t),
  }),
});

export type EventInput = Partial<Omit<typeof CreateEventInput.$inferInput, 'venueId'>> &
  Partial<typeof CreateMyEventInput.$inferInput> & { venueId?: string | null };
export type EventDetails = Omit<Prisma.EventUncheckedCreateInput, 'organizationId'>;

export function refuse(problems: Problem[]): void {
  const [first] = problems;
  if (first) throw new DomainError('BAD_USER_INPUT', `${first.field}: ${first.message}`, { field: first.field, problems });
}

/**
 * Validates what an input says about an event, on top of what it is now
 * (`current`, when updating), and returns the columns to write.
 */
export function eventDetails(input: EventInput, current?: Event): Partial<EventDetails> {
  const problems: Problem[] = [];
  const data: Partial<EventDetails> = {};
  if (input.venueId != null) data.venueId = parseId('venueId', input.venueId);
  if (input.title != null) data.title = requireText('title', input.title);
  if (input.slug != null) data.slug = parseSlug('slug', input.slug);
  if (input.startsAt != null) data.startsAt = input.startsAt;
  if (input.endsAt != null) data.endsAt = input.endsAt;
  const schedule = checkSchedule((data.startsAt ?? current?.startsAt) as Date, (data.endsAt ?? current?.endsAt) as Date);
  if (schedule) problems.push(schedule);
  if (input.description != null) {
    if (input.description.length > LIMITS.description)
      problems.push({ field: 'description', message: `at most ${LIMITS.description} characters` });
    data.description = sanitizeDescription(input.description);
  }
  for (const [field, max] of [
    ['categories', LIMITS.categories],
    ['tags', LIMITS.tags],
  ] as const) {
    if (input[field] == null) continue;
    const cleaned = labels(field, input[field]!, max);
    problems.push(...cleaned.problems);
    data[field] = cleaned.values;
  }
  if (input.imageUrls != null) {
    if (input.imageUrls.length > LIMITS.images) problems.push({ field: 'imageUrls', message: `at most ${LIMITS.images}` });
    problems.push(...urlProblems('imageUrls', input.imageUrls));
    data.imageUrls = input.imageUrls;
  }
  for (const field of ['externalUrl', 'ticketUrl'] as const) {
    if (input[field] === undefined) continue;
    problems.push(...urlProblems(field, [input[field]]));
    data[field] = input[field];
  }
  for (const field of ['costType', 'priceMin', 'priceMax', 'currency', 'visibility'] as const) {
    if (input[field] !== undefined) (data as Record<string, unknown>)[field] = input[field];
  }
  if (input.organizerContact !== undefined) {
    const contact = organizerContactColumns(input.organizerContact);
    problems.push(...contact.problems);
    Object.assign(data, contact.columns);
  }
  problems.push(
    ...priceProblems({
      costType: (data.costType ?? current?.costType ?? 'FREE') as 'FREE',
      priceMin: data.priceMin !== undefined ? data.priceMin : current?.priceMin,
      priceMax: data.priceMax !== undefined ? data.priceMax : current?.priceMax,
      currency: data.currency !== undefined ? data.currency : current?.currency,
    }),
  );
  refuse(problems);
  return data;
}

/**
 * Where a user's own event is, after `input` on top of `current`: a venue (its zone and coordinates then come
 * from the venue: the discovery trigger copies them), or a place of its own. Validated with placeProblems.
 */
export function ownEventPlace(input: EventInput, current?: Event): Partial<EventDetails> {
  const pick = <K extends keyof Place>(field: K, fallback: Place[K]): Place[K] =>
    input[field] !== undefined ? (input[field] as Place[K]) : fallback;
  const venueId = input.venueId !== undefined ? input.venueId && parseId('venueId', input.venueId) : (current?.venueId ?? null);
  const place: Place = venueId
    ? { venueId, timeZone: input.timeZone, latitude: input.latitude, longitude: input.longitude }
    : {
        venueId: null,
        timeZone: pick('timeZone', current?.timeZone),
        // coordinates copied from a former venue are not the event's own
        latitude: pick('latitude', current?.venueId ? null : current?.latitude),
        longitude: pick('longitude', current?.venueId ? null : current?.longitude),
      };
  place.locationName = pick('locationName', current?.locationName);
  // stored in its canonical spelling (europe/berlin → Europe/Berlin); an unknown one is refused below
  if (place.timeZone) place.timeZone = canonicalTimeZone(place.timeZone) ?? place.timeZone;
  refuse(placeProblems(place));
  const data: Partial<EventDetails> = { venueId, locationName: place.locationName?.trim() ?? null };
  if (venueId) data.timeZone = null;
  else
    Object.assign(data, {
      timeZone: place.timeZone,
      latitude: roundCoordinate(place.latitude) ?? null,
      longitude: roundCoordinate(place.longitude) ?? null,
    });
  return data;
}

/** The event a user's own event stands for: one the user may see (NOT_FOUND naming the field otherwise). */
export async function basedOnEvent(ctx: EventsContext, rawId: string | null | undefined, ownId?: string): Promise<string | null> {
  if (rawId == null) return null;
  const id = parseId('basedOnEventId', rawId);
  const event = await ctx.loaders.event.load(id);
  if (!event || !canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() }))
    throw new DomainError('NOT_FOUND', `basedOnEventId: Event ${id} was not found`, { field: 'basedOnEventId' });
  if (event.id === ownId || event.ownerUserId === userOf(ctx.principal))
    throw badInput('basedOnEventId', 'must be an event other than your own');
  return id;
}

/** The signed-in user creating their own event (API keys, devices and services have no events of their own). */
export function requireUser(principal: Principal): string {
  requireAuthenticated(principal);
  const me = userOf(principal);
  if (!me) throw new DomainError('FORBIDDEN', 'only signed-in users create their own events; organisations use createEvent');
  return me;
}

/**
 * Layer-1 events (aggregated from sources) are read-only to everyone but the platform itself, whoever else
 * could write to their organisation (most have none); a user's own event to everyone but its owner.
 */
export function requireWritable(principal: Principal, event: Event): void {
  if (event.origin === 'SOURCE' && !isPlatformService(principal)) {
    requireAuthenticated(principal);
    throw new DomainError('FORBIDDEN', 'this event comes from a source and is read-only; it changes when its source does', {
      reason: 'SOURCE_EVENT',
    });
  }
  if (event.ownerUserId) {
    requireAuthenticated(principal);
    if (userOf(principal) !== event.ownerUserId && !isPlatformService(principal))
      throw new DomainError('FORBIDDEN', "this is another user's event; only its owner changes it", { reason: 'NOT_OWNER' });
    return;
  }
  // a platform service changing a Layer-1 event (no organisation) has nothing more to check
  if (event.organizationId) requirePermission(principal, 'events.write', event.organizationId);
}
