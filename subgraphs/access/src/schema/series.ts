import { badInput, can, DomainError, notFound, parseId, requirePermission, requireText } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { knownEvent } from '../known-events';
import { builder } from '../builder';
import { checkSeriesTransition, type SeriesStatus } from '../domain/series-lifecycle';
import type { EventSeries } from '../generated/prisma/client';
import { EventRef } from './event';
import { GateRef } from './gate';

export const SeriesStatusEnum = builder.enumType('SeriesStatus', {
  values: ['DRAFT', 'SCHEDULED', 'ACTIVE', 'COMPLETED', 'CANCELLED'] as const,
});

export const EventSeriesRef = builder.objectRef<EventSeries>('EventSeries');

export async function readableSeries(ctx: AccessContext, id: string): Promise<EventSeries | null> {
  const series = await ctx.loaders.series.load(id);
  return series && can(ctx.principal, 'organization.read', series.organizationId) ? series : null;
}

builder.asEntity(EventSeriesRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => readableSeries(ctx, id),
});

EventSeriesRef.implement({
  description: 'One admission period of an event (Day 1, Day 2, …) with its own capacity and gates.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    capacity: t.exposeInt('capacity'),
    status: t.field({ type: SeriesStatusEnum, resolve: (s) => s.status }),
    // nullable like every reference into another subgraph: if that subgraph is down, only this field is lost
    event: t.field({ type: EventRef, nullable: true, resolve: (s) => ({ id: s.eventId }) }),
    gates: t.field({ type: [GateRef], resolve: (s, _args, ctx) => ctx.loaders.gatesOfSeries.load(s.id) }),
  }),
});

builder.queryFields((t) => ({
  eventSeries: t.field({
    type: EventSeriesRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableSeries(ctx, parseId('id', id)),
  }),
}));

const CreateEventSeriesInput = builder.inputType('CreateEventSeriesInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    name: t.string({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    capacity: t.int({ required: true }),
    gateIds: t.idList({ required: false, description: 'gates of the same event that serve this series' }),
  }),
});

builder.mutationFields((t) => ({
  createEventSeries: t.field({
    type: EventSeriesRef,
    args: { input: t.arg({ type: CreateEventSeriesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { eventId, organizationId } = await knownEvent(ctx.db, parseId('eventId', input.eventId));
      requirePermission(ctx.principal, 'series.create', organizationId);
      const name = requireText('name', input.name, 80);
      if (input.endsAt <= input.startsAt) throw badInput('endsAt', 'must be after startsAt');
      if (!Number.isInteger(input.capacity) || input.capacity < 0) throw badInput('capacity', 'must be 0 or more');
      const gateIds = (input.gateIds ?? []).map((id, i) => parseId(`gateIds[${i}]`, id));
      const gates = await ctx.db.gate.findMany({ where: { id: { in: gateIds } } });
      for (const gateId of gateIds) {
        const gate = gates.find((g) => g.id === gateId);
        if (!gate) throw notFound('Gate', gateId);
        if (gate.eventId !== eventId)
          throw new DomainError('GATE_OF_OTHER_EVENT', `gate ${gateId} belongs to another event`, { field: 'gateIds' });
      }
      return ctx.transact(async (tx, announce) => {
        const series = await tx.eventSeries.create({
          data: {
            organizationId,
            eventId,
            name,
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            capacity: input.capacity,
            gates: { create: gateIds.map((gateId) => ({ gateId })) },
          },
        });
        await announce('series.created', { seriesId: series.id, eventId, organizationId });
        return series;
      });
    },
  }),
  transitionEventSeries: t.field({
    type: EventSeriesRef,
    description: 'DRAFT → SCHEDULED → ACTIVE → COMPLETED, or CANCELLED from any status that is not final.',
    args: { id: t.arg.id({ required: true }), to: t.arg({ type: SeriesStatusEnum, required: true }) },
    resolve: (_root, args, ctx) => {
      const id = parseId('id', args.id);
      return ctx.transact(async (tx, announce) => {
        const current = await tx.eventSeries.findUnique({ where: { id } });
        if (!current || !can(ctx.principal, 'organization.read', current.organizationId)) throw notFound('EventSeries', id);
        requirePermission(ctx.principal, 'series.manage', current.organizationId);
        const check = checkSeriesTransition(current.status as SeriesStatus, args.to);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: current.status, to: args.to });
        const { count } = await tx.eventSeries.updateMany({ where: { id, status: current.status }, data: { status: args.to } });
        if (count !== 1) throw new DomainError('CONFLICT', 'the series changed while it was being updated; try again');
        await announce('series.transitioned', {
          seriesId: id,
          organizationId: current.organizationId,
          from: current.status,
          to: args.to,
        });
        return (await tx.eventSeries.findUnique({ where: { id } }))!;
      });
    },
  }),
}));
