import { badInput, DomainError, isPlatformService, notFound, parseId, requirePermission } from '@eventgraph/runtime';
import { canSeeEvent } from '../visibility';
import { builder } from '../builder';
import { announcesCancellation, checkEventTransition, type EventStatus } from '../domain/event-lifecycle';
import { deletionProblem } from '../domain/deletion';
import { CALENDAR_FIELDS, changedFields } from '../domain/event-details';
import { orgOnlyProblems, SALES_STATUSES, userOnlyProblems } from '../domain/own-events';
import { refreshMatches } from '../own-event-matches';
import { EVENT_TOPICS, summaryOf } from '../event-announcements';
import { EventRef, EventStatusEnum } from './event';
import {
  CreateEventInput,
  CreateMyEventInput,
  UpdateEventInput,
  refuse,
  eventDetails,
  ownEventPlace,
  basedOnEvent,
  requireUser,
  requireWritable,
  type EventInput,
  type EventDetails,
} from './event-inputs';

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
