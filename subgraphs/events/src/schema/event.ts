import {
  badInput,
  clearLoaders,
  DomainError,
  isPlatformService,
  liveEvents,
  notFound,
  parseId,
  parseSlug,
  requirePermission,
  requireAuthenticated,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import { canSeeEvent, userOf } from '../visibility';
import { builder } from '../builder';
import { announcesCancellation, checkEventTransition, type EventStatus } from '../domain/event-lifecycle';
import { deletionProblem } from '../domain/deletion';
import {
  CALENDAR_FIELDS,
  changedFields,
  labels,
  LIMITS,
  priceProblems,
  roundCoordinate,
  sanitizeDescription,
  urlProblems,
  type Problem,
} from '../domain/event-details';
import { canonicalTimeZone, checkSchedule } from '../domain/schedule';
import { orgOnlyProblems, placeProblems, SALES_STATUSES, userOnlyProblems, type Place } from '../domain/own-events';
import type { Event, Prisma } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { refreshMatches } from '../own-event-matches';
import { EVENT_TOPICS, summaryOf } from '../event-announcements';
import { OrganizationRef } from './organization';
import { CoordinatesRef, VenueRef } from './venue';
import { UserRef } from './user';

export const EventStatusEnum = builder.enumType('EventStatus', {
  description:
    'DRAFT → PUBLISHED → ON_SALE ⇄ PAUSED → CLOSED; CANCELLED (it will not happen: still shown, marked cancelled) from a public status; ARCHIVED (hidden) from anywhere',
  values: ['DRAFT', 'PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'CANCELLED', 'ARCHIVED'] as const,
});

export const CostTypeEnum = builder.enumType('CostType', { values: ['FREE', 'PAID', 'DONATION', 'VARIABLE'] as const });
export const VisibilityEnum = builder.enumType('Visibility', {
  description:
    'PUBLIC: listed for everyone once published; UNLISTED: reachable by id or link only; PRIVATE and FRIENDS: the organisation (or, for user events, the people it chooses)',
  values: ['PUBLIC', 'UNLISTED', 'PRIVATE', 'FRIENDS'] as const,
});
export const EventOriginEnum = builder.enumType('EventOrigin', { values: ['SOURCE', 'ORGANIZATION', 'USER'] as const });

export const EventRef = builder.objectRef<Event>('Event');

const PriceRangeRef = builder.objectRef<Event>('PriceRange').implement({
  description: 'Prices in minor units (cents) of the currency.',
  fields: (t) => ({
    min: t.exposeInt('priceMin', { nullable: true }),
    max: t.exposeInt('priceMax', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
  }),
});

builder.asEntity(EventRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const event = await ctx.loaders.event.load(id);
    return event && canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() }) ? event : null;
  },
});

EventRef.implement({
  description: 'The canonical event: what happens, where and when.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    slug: t.exposeString('slug'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    allDay: t.exposeBoolean('allDay', {
      description: 'a whole-day event (from a source that gave dates only): startsAt and endsAt (exclusive) are UTC midnights',
    }),
    status: t.field({ type: EventStatusEnum, resolve: (e) => e.status }),
    description: t.exposeString('description', {
      description: 'sanitised HTML: p, br, strong, em, u, lists, links, h3, h4, blockquote',
    }),
    categories: t.exposeStringList('categories'),
    tags: t.exposeStringList('tags'),
    imageUrls: t.exposeStringList('imageUrls'),
    costType: t.field({ type: CostTypeEnum, resolve: (e) => e.costType }),
    price: t.field({
      type: PriceRangeRef,
      nullable: true,
      resolve: (e) => (e.priceMin == null && e.priceMax == null ? null : e),
    }),
    externalUrl: t.exposeString('externalUrl', { nullable: true }),
    ticketUrl: t.exposeString('ticketUrl', { nullable: true }),
    origin: t.field({ type: EventOriginEnum, resolve: (e) => e.origin }),
    visibility: t.field({ type: VisibilityEnum, resolve: (e) => e.visibility }),
    sequence: t.exposeInt('sequence', { description: 'grows with every change a calendar shows (iCalendar SEQUENCE)' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    venue: t.field({
      type: VenueRef,
      nullable: true,
      description: "where it happens; a user's own event may have no venue (see locationName and coordinates)",
      resolve: (e, _args, ctx) => (e.venueId ? ctx.loaders.venue.load(e.venueId) : null),
    }),
    timeZone: t.string({
      description: "IANA zone of its local times: its venue's, or a user event's own",
      resolve: async (e, _args, ctx) =>
        (e.venueId ? (await ctx.loaders.venue.load(e.venueId))?.timeZone : null) ?? e.timeZone ?? 'UTC',
    }),
    locationName: t.exposeString('locationName', { nullable: true, description: "a user event's free-text place" }),
    coordinates: t.field({
      type: CoordinatesRef,
      nullable: true,
      description: "its venue's coordinates, or a user event's own",
      resolve: (e) => (e.latitude != null && e.longitude != null ? { latitude: e.latitude, longitude: e.longitude } : null),
    }),
    // nullable like every reference into another subgraph: if that subgraph is down, only this field is lost
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: "the organisation it belongs to; null for a user's own event",
      resolve: (e) => (e.organizationId ? { id: e.organizationId } : null),
    }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      description: "the user who created it, for user events (origin USER); null for organisations' events",
      resolve: (e) => (e.ownerUserId ? { id: e.ownerUserId } : null),
    }),
    basedOn: t.field({
      type: EventRef,
      nullable: true,
      description: "the event a user's own event stands for in its owner's views (basedOnEventId), if the caller may see it",
      resolve: async (e, _args, ctx) => {
        const based = e.basedOnEventId ? await ctx.loaders.event.load(e.basedOnEventId) : null;
        return based && canSeeEvent(ctx.principal, based, { direct: true, friends: await ctx.friends() }) ? based : null;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  event: t.field({
    type: EventRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const event = await ctx.loaders.event.load(parseId('id', id));
      return event && canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() }) ? event : null;
    },
  }),
}));

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
});

const CreateEventInput = builder.inputType('CreateEventInput', {
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

const CreateMyEventInput = builder.inputType('CreateMyEventInput', {
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

const UpdateEventInput = builder.inputType('UpdateEventInput', {
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

type EventInput = Partial<Omit<typeof CreateEventInput.$inferInput, 'venueId'>> &
  Partial<typeof CreateMyEventInput.$inferInput> & { venueId?: string | null };
type EventDetails = Omit<Prisma.EventUncheckedCreateInput, 'organizationId'>;

function refuse(problems: Problem[]): void {
  const [first] = problems;
  if (first) throw new DomainError('BAD_USER_INPUT', `${first.field}: ${first.message}`, { field: first.field, problems });
}

/**
 * Validates what an input says about an event, on top of what it is now
 * (`current`, when updating), and returns the columns to write.
 */
function eventDetails(input: EventInput, current?: Event): Partial<EventDetails> {
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
function ownEventPlace(input: EventInput, current?: Event): Partial<EventDetails> {
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
async function basedOnEvent(ctx: EventsContext, rawId: string | null | undefined, ownId?: string): Promise<string | null> {
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
function requireUser(principal: Principal): string {
  requireAuthenticated(principal);
  const me = userOf(principal);
  if (!me) throw new DomainError('FORBIDDEN', 'only signed-in users create their own events; organisations use createEvent');
  return me;
}

/**
 * Layer-1 events (aggregated from sources) are read-only to everyone but the platform itself, whoever else
 * could write to their organisation (most have none); a user's own event to everyone but its owner.
 */
function requireWritable(principal: Principal, event: Event): void {
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

builder.mutationFields((t) => ({
  createEvent: t.field({
    type: EventRef,
    args: { input: t.arg({ type: CreateEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const details = eventDetails(input) as EventDetails & { venueId: string };
      const venue = await ctx.loaders.venue.load(details.venueId);
      if (!venue) throw notFound('Venue', details.venueId);
      requirePermission(ctx.principal, 'events.write', venue.organizationId);
      if (input.origin && input.origin !== 'ORGANIZATION' && !isPlatformService(ctx.principal)) {
        throw new DomainError('FORBIDDEN', 'origin: only the platform records events from sources or users this way', {
          field: 'origin',
        });
      }
      const origin = input.origin ?? 'ORGANIZATION';
      return ctx.transact(async (tx, announce) => {
        const event = await tx.event.create({ data: { ...details, origin, organizationId: venue.organizationId } });
        await announce(EVENT_TOPICS.created, summaryOf(event));
        await refreshMatches(tx, announce, event);
        return event;
      });
    },
  }),
  createMyEvent: t.field({
    type: EventRef,
    description:
      "Creates a signed-in user's own event (origin USER), owned by the caller and changed only by them. It starts as a DRAFT: publish it with transitionEvent. In the caller's views it replaces the event it is based on (basedOnEventId) and any organisation's event with the same title, overlapping times and the same place.",
    args: { input: t.arg({ type: CreateMyEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const ownerUserId = requireUser(ctx.principal);
      refuse(orgOnlyProblems(input));
      const details = { ...eventDetails(input), ...ownEventPlace(input) } as EventDetails;
      if (details.venueId && !(await ctx.loaders.venue.load(details.venueId))) throw notFound('Venue', details.venueId);
      const basedOnEventId = await basedOnEvent(ctx, input.basedOnEventId);
      return ctx.transact(async (tx, announce) => {
        const event = await tx.event.create({
          data: { visibility: 'PRIVATE', ...details, basedOnEventId, origin: 'USER', ownerUserId, organizationId: null },
        });
        await announce(EVENT_TOPICS.created, summaryOf(event, await refreshMatches(tx, announce, event)));
        return event;
      });
    },
  }),
  updateEvent: t.field({
    type: EventRef,
    description:
      'Changes an event. A new time or venue is announced (event.updated with rescheduled / venueChanged), so series and tickets can follow.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateEventInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const current = await ctx.db.event.findUnique({ where: { id } });
      if (!current || !canSeeEvent(ctx.principal, current, { direct: true, friends: await ctx.friends() }))
        throw notFound('Event', id);
      requireWritable(ctx.principal, current);
      if (current.status === 'ARCHIVED') throw new DomainError('EVENT_ARCHIVED', 'an archived event cannot change');
      const input = args.input as EventInput;
      let details: Partial<EventDetails>;
      if (current.ownerUserId) {
        refuse(orgOnlyProblems(input));
        details = { ...eventDetails(input, current), ...ownEventPlace(input, current) };
        if (input.basedOnEventId !== undefined) details.basedOnEventId = await basedOnEvent(ctx, input.basedOnEventId, id);
        if (details.venueId && !(await ctx.loaders.venue.load(details.venueId))) throw notFound('Venue', details.venueId);
      } else {
        refuse(userOnlyProblems(input));
        if (input.venueId === null) throw badInput('venueId', "an organisation's event needs a venue");
        details = eventDetails(input, current);
        if (details.venueId) {
          const venue = await ctx.loaders.venue.load(details.venueId);
          if (!venue || venue.organizationId !== current.organizationId) throw notFound('Venue', details.venueId);
        }
      }
      const changed = changedFields(current as Record<string, unknown>, details as Record<string, unknown>);
      if (changed.length === 0) return current;
      const bumpsCalendar = changed.some((field) => (CALENDAR_FIELDS as readonly string[]).includes(field as string));
      return ctx.transact(async (tx, announce) => {
        // the updatedAt in the WHERE makes a concurrent update lose instead of overwriting unseen changes
        const { count } = await tx.event.updateMany({
          where: { id, updatedAt: current.updatedAt },
          data: { ...details, ...(bumpsCalendar ? { sequence: { increment: 1 } } : {}) },
        });
        if (count !== 1) throw new DomainError('CONFLICT', 'the event changed while it was being updated; try again');
        const updated = (await tx.event.findUnique({ where: { id } }))!;
        await announce(EVENT_TOPICS.updated, {
          ...summaryOf(updated, await refreshMatches(tx, announce, updated, current)),
          changed,
          rescheduled: changed.includes('startsAt') || changed.includes('endsAt'),
          venueChanged: changed.includes('venueId'),
        });
        return updated;
      });
    },
  }),
  deleteEvent: t.field({
    type: 'Boolean',
    description: 'Deletes an event for good; refused (EVENT_HAS_DEPENDENTS) once series or tickets exist: archive it instead.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const current = await ctx.db.event.findUnique({ where: { id } });
      if (!current || !canSeeEvent(ctx.principal, current, { direct: true, friends: await ctx.friends() }))
        throw notFound('Event', id);
      requireWritable(ctx.principal, current);
      return ctx.transact(async (tx, announce) => {
        const problem = deletionProblem(await tx.eventDependent.findMany({ where: { eventId: id } }));
        if (problem) throw new DomainError('EVENT_HAS_DEPENDENTS', problem);
        // user events that stood in for this one no longer do (the rows go with the event)
        const standIns = await tx.ownEventMatch.findMany({ where: { publicEventId: id }, select: { ownEventId: true } });
        await tx.event.delete({ where: { id } });
        await announce(EVENT_TOPICS.deleted, {
          eventId: id,
          organizationId: current.organizationId,
          ownerUserId: current.ownerUserId,
          status: current.status,
        });
        for (const own of await tx.event.findMany({ where: { id: { in: standIns.map((m) => m.ownEventId) } } })) {
          const replaces = (await tx.ownEventMatch.findMany({ where: { ownEventId: own.id } })).map((m) => m.publicEventId);
          await announce(EVENT_TOPICS.updated, {
            ...summaryOf(own, replaces.sort()),
            changed: ['replaces'],
            rescheduled: false,
            venueChanged: false,
          });
        }
        return true;
      });
    },
  }),
  transitionEvent: t.field({
    type: EventRef,
    description: 'Moves an event along its lifecycle: DRAFT → PUBLISHED → ON_SALE ⇄ PAUSED → CLOSED, or ARCHIVED.',
    args: { id: t.arg.id({ required: true }), to: t.arg({ type: EventStatusEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const friends = await ctx.friends(); // read before the transaction: the embedded database has one connection
      return ctx.transact(async (tx, announce) => {
        const current = await tx.event.findUnique({ where: { id } });
        if (!current || !canSeeEvent(ctx.principal, current, { direct: true, friends })) throw notFound('Event', id);
        requireWritable(ctx.principal, current);
        const check = checkEventTransition(current.status as EventStatus, args.to);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: current.status, to: args.to });
        if (current.ownerUserId && SALES_STATUSES.includes(args.to))
          throw new DomainError('ILLEGAL_TRANSITION', `a user's own event has no ticket sales: it cannot be ${args.to}`, {
            from: current.status,
            to: args.to,
          });
        // the status in the WHERE makes a concurrent transition fail instead of both winning
        const { count } = await tx.event.updateMany({
          where: { id, status: current.status },
          data: { status: args.to, sequence: { increment: 1 } },
        });
        if (count !== 1) throw new DomainError('CONFLICT', 'the event changed while it was being updated; try again');
        const moved = (await tx.event.findUnique({ where: { id } }))!;
        const change = { ...summaryOf(moved, await refreshMatches(tx, announce, moved, current)), from: current.status };
        await announce(EVENT_TOPICS.statusChanged, change);
        // the moment partners and webhooks usually wait for, under a name of its own
        if (args.to === 'PUBLISHED') await announce(EVENT_TOPICS.published, change);
        // an event the public has seen that is cancelled or archived will not happen: calendars and partners hear it
        if (announcesCancellation(current.status as EventStatus, args.to)) await announce(EVENT_TOPICS.cancelled, change);
        return moved;
      });
    },
  }),
}));

/** What a live subscriber receives: the kind of change and the event as it is now. */
interface EventChange {
  kind: ChangeKind;
  eventId: string;
  changedFields: string[];
}

const CHANGE_KINDS = {
  [EVENT_TOPICS.created]: 'CREATED',
  [EVENT_TOPICS.updated]: 'UPDATED',
  [EVENT_TOPICS.statusChanged]: 'STATUS_CHANGED',
} as const;
type ChangeKind = (typeof CHANGE_KINDS)[keyof typeof CHANGE_KINDS];

const EventChangeKind = builder.enumType('EventChangeKind', { values: ['CREATED', 'UPDATED', 'STATUS_CHANGED'] as const });

const EventChangeRef = builder.objectRef<EventChange>('EventChange').implement({
  fields: (t) => ({
    kind: t.field({ type: EventChangeKind, resolve: (c) => c.kind }),
    changedFields: t.stringList({ description: 'for UPDATED: which fields changed', resolve: (c) => c.changedFields }),
    event: t.field({ type: EventRef, nullable: true, resolve: (c, _args, ctx) => ctx.loaders.event.load(c.eventId) }),
  }),
});

builder.subscriptionFields((t) => ({
  eventChanged: t.field({
    type: EventChangeRef,
    description: 'Events created, changed or moved along their lifecycle, for one organisation or one event.',
    args: { organizationId: t.arg.id(), eventId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      const organizationId = args.organizationId ? parseId('organizationId', args.organizationId) : undefined;
      const eventId = args.eventId ? parseId('eventId', args.eventId) : undefined;
      if (!organizationId && !eventId) throw badInput('organizationId', 'give organizationId or eventId');
      // friends as of subscribing: a subscription sees FRIENDS events of the people who were friends then
      const friends = await ctx.friends();
      // the same visibility as queries: changes of unpublished or private events reach only their organisation
      return liveEvents(ctx.bus, 'event.*', (e) => {
        const { payload } = e;
        return (
          e.topic in CHANGE_KINDS &&
          (!organizationId || payload.organizationId === organizationId) &&
          (!eventId || payload.eventId === eventId) &&
          canSeeEvent(
            ctx.principal,
            {
              status: payload.status as string,
              organizationId: (payload.organizationId as string | null | undefined) ?? null,
              ownerUserId: payload.ownerUserId as string | null | undefined,
              visibility: payload.visibility as string | undefined,
              // a category-limited partner key sees the changes of the categories it may show
              categories: payload.categories as string[] | undefined,
            },
            { direct: Boolean(eventId), friends },
          )
        );
      });
    },
    resolve: (busEvent, _args, ctx): EventChange => {
      clearLoaders(ctx.loaders);
      return {
        kind: CHANGE_KINDS[busEvent.topic as keyof typeof CHANGE_KINDS],
        eventId: busEvent.payload.eventId as string,
        changedFields: (busEvent.payload.changed as string[] | undefined) ?? [],
      };
    },
  }),
}));
