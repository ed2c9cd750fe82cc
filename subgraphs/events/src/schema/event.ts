import { badInput, clearLoaders, DomainError, liveEvents, notFound, parseId, parsePageSize, parseSlug, requirePermission, requireText } from '@eventgraph/runtime';
import { canSeeEvent, visibleEventsWhere } from '../visibility';
import { builder } from '../builder';
import { checkEventTransition, type EventStatus } from '../domain/event-lifecycle';
import { checkSchedule } from '../domain/schedule';
import type { Event } from '../generated/prisma/client';
import { OrganizationRef } from './organization';
import { VenueRef } from './venue';

export const EventStatusEnum = builder.enumType('EventStatus', {
  values: ['DRAFT', 'PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'ARCHIVED'] as const,
});

export const EventRef = builder.objectRef<Event>('Event');

builder.asEntity(EventRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const event = await ctx.loaders.event.load(id);
    return event && canSeeEvent(ctx.principal, event) ? event : null;
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
      return event && canSeeEvent(ctx.principal, event) ? event : null;
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

const CreateEventInput = builder.inputType('CreateEventInput', {
  fields: (t) => ({
    venueId: t.id({ required: true }),
    title: t.string({ required: true }),
    slug: t.string({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
  }),
});

const EVENT_TOPICS = { created: 'event.created', statusChanged: 'event.status_changed', published: 'event.published' } as const;

builder.mutationFields((t) => ({
  createEvent: t.field({
    type: EventRef,
    args: { input: t.arg({ type: CreateEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const venueId = parseId('venueId', input.venueId);
      const title = requireText('title', input.title);
      const slug = parseSlug('slug', input.slug);
      const problem = checkSchedule(input.startsAt, input.endsAt);
      if (problem) throw badInput(problem.field, problem.message);
      const venue = await ctx.loaders.venue.load(venueId);
      if (!venue) throw notFound('Venue', venueId);
      requirePermission(ctx.principal, 'events.write', venue.organizationId);
      return ctx.transact(async (tx, announce) => {
        const event = await tx.event.create({
          data: { venueId, organizationId: venue.organizationId, title, slug, startsAt: input.startsAt, endsAt: input.endsAt },
        });
        await announce(EVENT_TOPICS.created, { eventId: event.id, organizationId: event.organizationId, status: event.status });
        return event;
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
        if (!current || !canSeeEvent(ctx.principal, current)) throw notFound('Event', id);
        requirePermission(ctx.principal, 'events.write', current.organizationId);
        const check = checkEventTransition(current.status as EventStatus, args.to);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: current.status, to: args.to });
        // the status in the WHERE makes a concurrent transition fail instead of both winning
        const { count } = await tx.event.updateMany({ where: { id, status: current.status }, data: { status: args.to } });
        if (count !== 1) throw new DomainError('CONFLICT', 'the event changed while it was being updated; try again');
        const change = { eventId: id, organizationId: current.organizationId, from: current.status, status: args.to };
        await announce(EVENT_TOPICS.statusChanged, change);
        // the moment partners and webhooks usually wait for, under a name of its own
        if (args.to === 'PUBLISHED') await announce(EVENT_TOPICS.published, change);
        return (await tx.event.findUnique({ where: { id } }))!;
      });
    },
  }),
}));

/** What a live subscriber receives: the kind of change and the event as it is now. */
interface EventChange {
  kind: 'CREATED' | 'STATUS_CHANGED';
  eventId: string;
}

const EventChangeKind = builder.enumType('EventChangeKind', { values: ['CREATED', 'STATUS_CHANGED'] as const });

const EventChangeRef = builder.objectRef<EventChange>('EventChange').implement({
  fields: (t) => ({
    kind: t.field({ type: EventChangeKind, resolve: (c) => c.kind }),
    event: t.field({ type: EventRef, resolve: async (c, _args, ctx) => (await ctx.loaders.event.load(c.eventId))! }),
  }),
});

builder.subscriptionFields((t) => ({
  eventChanged: t.field({
    type: EventChangeRef,
    description: 'Events created or moved along their lifecycle, for one organisation or one event.',
    args: { organizationId: t.arg.id(), eventId: t.arg.id() },
    subscribe: (_root, args, ctx) => {
      const organizationId = args.organizationId ? parseId('organizationId', args.organizationId) : undefined;
      const eventId = args.eventId ? parseId('eventId', args.eventId) : undefined;
      if (!organizationId && !eventId) throw badInput('organizationId', 'give organizationId or eventId');
      // the same visibility as queries: changes of unpublished events reach only their organisation
      return liveEvents(
        ctx.bus,
        'event.*',
        (e) =>
          (e.topic === EVENT_TOPICS.created || e.topic === EVENT_TOPICS.statusChanged) &&
          (!organizationId || e.payload.organizationId === organizationId) &&
          (!eventId || e.payload.eventId === eventId) &&
          canSeeEvent(ctx.principal, { status: e.payload.status as string, organizationId: e.payload.organizationId as string }),
      );
    },
    resolve: (busEvent, _args, ctx): EventChange => {
      clearLoaders(ctx.loaders);
      return {
        kind: busEvent.topic === EVENT_TOPICS.created ? 'CREATED' : 'STATUS_CHANGED',
        eventId: busEvent.payload.eventId as string,
      };
    },
  }),
}));
