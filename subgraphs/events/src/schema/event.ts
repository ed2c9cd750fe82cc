import {
  badInput,
  clearLoaders,
  DomainError,
  isPlatformService,
  liveEvents,
  notFound,
  parseId,
  parsePageSize,
  parseSlug,
  requirePermission,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import { canSeeEvent, visibleEventsWhere } from '../visibility';
import { builder } from '../builder';
import { checkEventTransition, PUBLIC_STATUSES, type EventStatus } from '../domain/event-lifecycle';
import { deletionProblem } from '../domain/deletion';
import {
  CALENDAR_FIELDS,
  changedFields,
  labels,
  LIMITS,
  priceProblems,
  sanitizeDescription,
  urlProblems,
  type Problem,
} from '../domain/event-details';
import { checkSchedule } from '../domain/schedule';
import type { Event, Prisma } from '../generated/prisma/client';
import { OrganizationRef } from './organization';
import { VenueRef } from './venue';

export const EventStatusEnum = builder.enumType('EventStatus', {
  values: ['DRAFT', 'PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'ARCHIVED'] as const,
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
    return event && canSeeEvent(ctx.principal, event, { direct: true }) ? event : null;
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
    venue: t.field({ type: VenueRef, resolve: async (e, _args, ctx) => (await ctx.loaders.venue.load(e.venueId))! }),
    // nullable like every reference into another subgraph: if that subgraph is down, only this field is lost
    organization: t.field({ type: OrganizationRef, nullable: true, resolve: (e) => ({ id: e.organizationId }) }),
  }),
});

const MAX_PAGE = 100;

builder.queryFields((t) => ({
  event: t.field({
    type: EventRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const event = await ctx.loaders.event.load(parseId('id', id));
      return event && canSeeEvent(ctx.principal, event, { direct: true }) ? event : null;
    },
  }),
  events: t.field({
    type: [EventRef],
    description: `Events by start time; at most ${MAX_PAGE} per call.`,
    args: {
      organizationId: t.arg.id(),
      status: t.arg({ type: EventStatusEnum }),
      first: t.arg.int({ defaultValue: 20 }),
    },
    resolve: (_root, args, ctx) =>
      ctx.db.event.findMany({
        where: {
          organizationId: args.organizationId ? parseId('organizationId', args.organizationId) : undefined,
          status: args.status ?? undefined,
          ...visibleEventsWhere(ctx.principal),
        },
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        take: parsePageSize('first', args.first, 20, MAX_PAGE),
      }),
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

const UpdateEventInput = builder.inputType('UpdateEventInput', {
  description: 'Only the fields given change; null clears an optional field.',
  fields: (t) => ({
    venueId: t.id(),
    title: t.string(),
    slug: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    ...eventDetailFields(t),
  }),
});

type EventInput = Partial<typeof CreateEventInput.$inferInput>;
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

/** Layer-1 events (aggregated from sources) are read-only to everyone but the platform itself. */
function requireWritable(principal: Principal, event: Event): void {
  requirePermission(principal, 'events.write', event.organizationId);
  if (event.origin === 'SOURCE' && !isPlatformService(principal)) {
    throw new DomainError('FORBIDDEN', 'this event comes from a source and is read-only; it changes when its source does', {
      reason: 'SOURCE_EVENT',
    });
  }
}

/**
 * What every event announcement carries: enough for other subgraphs' projections (who may see it, when,
 * where, what kind) without reading this subgraph's tables.
 */
const summaryOf = (event: Event) => ({
  eventId: event.id,
  organizationId: event.organizationId,
  status: event.status,
  visibility: event.visibility,
  title: event.title,
  venueId: event.venueId,
  startsAt: event.startsAt.toISOString(),
  categories: event.categories,
});

const EVENT_TOPICS = {
  created: 'event.created',
  updated: 'event.updated',
  statusChanged: 'event.status_changed',
  published: 'event.published',
  cancelled: 'event.cancelled',
  deleted: 'event.deleted',
} as const;

builder.mutationFields((t) => ({
  createEvent: t.field({
    type: EventRef,
    args: { input: t.arg({ type: CreateEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const details = eventDetails(input) as EventDetails;
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
      if (!current || !canSeeEvent(ctx.principal, current, { direct: true })) throw notFound('Event', id);
      requireWritable(ctx.principal, current);
      if (current.status === 'ARCHIVED') throw new DomainError('EVENT_ARCHIVED', 'an archived event cannot change');
      const details = eventDetails(args.input as EventInput, current);
      if (details.venueId) {
        const venue = await ctx.loaders.venue.load(details.venueId);
        if (!venue || venue.organizationId !== current.organizationId) throw notFound('Venue', details.venueId);
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
          ...summaryOf(updated),
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
      if (!current || !canSeeEvent(ctx.principal, current, { direct: true })) throw notFound('Event', id);
      requireWritable(ctx.principal, current);
      return ctx.transact(async (tx, announce) => {
        const problem = deletionProblem(await tx.eventDependent.findMany({ where: { eventId: id } }));
        if (problem) throw new DomainError('EVENT_HAS_DEPENDENTS', problem);
        await tx.event.delete({ where: { id } });
        await announce(EVENT_TOPICS.deleted, { eventId: id, organizationId: current.organizationId, status: current.status });
        return true;
      });
    },
  }),
  transitionEvent: t.field({
    type: EventRef,
    description: 'Moves an event along its lifecycle: DRAFT → PUBLISHED → ON_SALE ⇄ PAUSED → CLOSED, or ARCHIVED.',
    args: { id: t.arg.id({ required: true }), to: t.arg({ type: EventStatusEnum, required: true }) },
    resolve: (_root, args, ctx) => {
      const id = parseId('id', args.id);
      return ctx.transact(async (tx, announce) => {
        const current = await tx.event.findUnique({ where: { id } });
        if (!current || !canSeeEvent(ctx.principal, current, { direct: true })) throw notFound('Event', id);
        requireWritable(ctx.principal, current);
        const check = checkEventTransition(current.status as EventStatus, args.to);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: current.status, to: args.to });
        // the status in the WHERE makes a concurrent transition fail instead of both winning
        const { count } = await tx.event.updateMany({
          where: { id, status: current.status },
          data: { status: args.to, sequence: { increment: 1 } },
        });
        if (count !== 1) throw new DomainError('CONFLICT', 'the event changed while it was being updated; try again');
        const change = { ...summaryOf({ ...current, status: args.to }), from: current.status };
        await announce(EVENT_TOPICS.statusChanged, change);
        // the moment partners and webhooks usually wait for, under a name of its own
        if (args.to === 'PUBLISHED') await announce(EVENT_TOPICS.published, change);
        // an event the public has seen that is archived will not happen: calendars and partners hear "cancelled"
        if (args.to === 'ARCHIVED' && PUBLIC_STATUSES.includes(current.status as EventStatus))
          await announce(EVENT_TOPICS.cancelled, change);
        return (await tx.event.findUnique({ where: { id } }))!;
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
    subscribe: (_root, args, ctx) => {
      const organizationId = args.organizationId ? parseId('organizationId', args.organizationId) : undefined;
      const eventId = args.eventId ? parseId('eventId', args.eventId) : undefined;
      if (!organizationId && !eventId) throw badInput('organizationId', 'give organizationId or eventId');
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
              organizationId: payload.organizationId as string,
              visibility: payload.visibility as string | undefined,
            },
            { direct: Boolean(eventId) },
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
