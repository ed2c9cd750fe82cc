import {
  can,
  DomainError,
  notFound,
  parseId,
  requirePermission,
  requireText,
  type Permission,
  type Principal,
} from '@eventgraph/runtime';
import type { AccessContext, AccessDb, AccessTx } from '../context';
import { eventToChange } from '../known-events';
import { builder } from '../builder';
import { checkSeriesTransition, checkTemplateTransition, type SeriesStatus } from '../domain/series-lifecycle';
import {
  checkCapacity,
  checkCategoryLimits,
  checkSeriesTimes,
  CONFIGURABLE_STATUSES,
  EDITABLE_STATUSES,
  findOverlap,
  mergeTimes,
  notEditable,
  overlapProblem,
  type CategoryLimitInput,
  type EntryRule,
  type ExistingSeries,
  type SeriesTimes,
} from '../domain/series-rules';
import type { EventSeries, SeriesTransition } from '../generated/prisma/client';
import { applySeriesTransition, type Actor } from '../series-transitions';
import { EventRef } from './event';
import { GateRef } from './gate';
import { problemError } from '../problem-error';

export const SeriesStatusEnum = builder.enumType('SeriesStatus', {
  values: ['DRAFT', 'SCHEDULED', 'ACTIVE', 'COMPLETED', 'CANCELLED'] as const,
});

export const EntryRuleEnum = builder.enumType('EntryRule', {
  values: {
    SINGLE_ENTRY: { description: 'one entry; no way back in after leaving' },
    REENTRY: { description: 'in again after an exit' },
    UNLIMITED: { description: 'any number of entries, no exit needed' },
  } as const,
});

export const EventSeriesRef = builder.objectRef<EventSeries>('EventSeries');
const SeriesTransitionRef = builder.objectRef<SeriesTransition>('SeriesTransition');

/** A domain problem as the error the caller sees. */
export const fail = problemError;

/** What `series.updated` says: which of the series' settings changed. */
export const seriesUpdated = (series: Pick<EventSeries, 'id' | 'eventId' | 'organizationId'>, changed: string[]) => ({
  seriesId: series.id,
  eventId: series.eventId,
  organizationId: series.organizationId,
  changed,
});

export const isTemplate = (series: Pick<EventSeries, 'recurrence'>) => series.recurrence !== null;

export async function readableSeries(ctx: AccessContext, id: string): Promise<EventSeries | null> {
  const series = await ctx.loaders.series.load(id);
  return series && can(ctx.principal, 'organization.read', series.organizationId) ? series : null;
}

/** The series to change: NOT_FOUND for another organisation's (it is invisible to them), then the permission. */
export async function seriesToChange(
  db: AccessDb | AccessTx,
  principal: Principal,
  id: string,
  permission: Permission,
): Promise<EventSeries> {
  const series = await db.eventSeries.findUnique({ where: { id } });
  if (!series || !can(principal, 'organization.read', series.organizationId)) throw notFound('EventSeries', id);
  requirePermission(principal, permission, series.organizationId);
  return series;
}

export const actorOf = (principal: Principal): Actor => ({ kind: principal.kind, id: principal.id ?? null });

/** Gates must be the series' event's own; another organisation's gate is NOT_FOUND, as if it did not exist. */
export async function eventGates(
  db: AccessDb,
  series: { eventId: string; organizationId: string },
  ids: readonly string[],
  field = 'gateIds',
) {
  const gateIds = [...new Set(ids.map((id, i) => parseId(`${field}[${i}]`, id)))];
  const gates = await db.gate.findMany({ where: { id: { in: gateIds } } });
  for (const gateId of gateIds) {
    const gate = gates.find((g) => g.id === gateId);
    if (!gate || gate.organizationId !== series.organizationId) throw notFound('Gate', gateId);
    if (gate.eventId !== series.eventId)
      throw new DomainError('GATE_OF_OTHER_EVENT', `gate ${gateId} belongs to another event`, { field });
  }
  return gateIds;
}

/**
 * Series of one event are created and moved one at a time (the event's row is
 * locked), so two concurrent requests cannot both pass the overlap check.
 */
export async function lockEventSeries(tx: AccessTx, eventId: string): Promise<ExistingSeries[]> {
  await tx.$queryRawUnsafe('SELECT 1 FROM "KnownEvent" WHERE "eventId" = $1::uuid FOR UPDATE', eventId);
  const rows = await tx.eventSeries.findMany({
    where: { eventId, status: { not: 'CANCELLED' } },
    select: { id: true, name: true, startsAt: true, endsAt: true, status: true, recurrence: true },
  });
  return rows.map((row) => ({ ...row, isTemplate: isTemplate(row) }));
}

export function refuseOverlap(candidate: { id?: string; startsAt: Date; endsAt: Date }, others: ExistingSeries[]) {
  const other = findOverlap(candidate, others);
  if (other) throw fail(overlapProblem(other));
}

EventSeriesRef.implement({
  description: 'One admission period of an event (Day 1, Day 2, …) with its own capacity and gates.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    checkInOpensAt: t.expose('checkInOpensAt', { type: 'DateTime', description: 'scans are accepted from here' }),
    checkInClosesAt: t.expose('checkInClosesAt', { type: 'DateTime', description: 'until here' }),
    capacity: t.exposeInt('capacity'),
    entryRule: t.field({ type: EntryRuleEnum, resolve: (s) => s.entryRule }),
    status: t.field({ type: SeriesStatusEnum, resolve: (s) => s.status }),
    // nullable like every reference into another subgraph: if that subgraph is down, only this field is lost
    event: t.field({ type: EventRef, nullable: true, resolve: (s) => ({ id: s.eventId }) }),
    gates: t.field({ type: [GateRef], resolve: (s, _args, ctx) => ctx.loaders.gatesOfSeries.load(s.id) }),
    transitions: t.field({
      type: [SeriesTransitionRef],
      description: 'every status change, oldest first',
      resolve: (s, _args, ctx) => ctx.loaders.transitionsOfSeries.load(s.id),
    }),
    parent: t.field({
      type: EventSeriesRef,
      nullable: true,
      description: 'the recurring series this one was generated from',
      resolve: (s, _args, ctx) => (s.parentId ? ctx.loaders.series.load(s.parentId) : null),
    }),
    sequenceNumber: t.exposeInt('sequenceNumber', { nullable: true, description: 'its place among its parent’s occurrences' }),
    children: t.field({
      type: [EventSeriesRef],
      description: 'a recurring parent’s generated series, by sequence number',
      resolve: (s, _args, ctx) => ctx.loaders.childrenOfSeries.load(s.id),
    }),
  }),
});

SeriesTransitionRef.implement({
  description: 'One status change of a series: who made it, when, from what to what, and why.',
  fields: (t) => ({
    id: t.exposeID('id'),
    from: t.field({ type: SeriesStatusEnum, resolve: (r) => r.fromStatus }),
    to: t.field({ type: SeriesStatusEnum, resolve: (r) => r.toStatus }),
    actorKind: t.exposeString('actorKind', { description: 'user, apiKey, device, service or scheduler' }),
    actorId: t.exposeString('actorId', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

builder.asEntity(EventSeriesRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => readableSeries(ctx, id),
});

builder.queryFields((t) => ({
  eventSeries: t.field({
    type: EventSeriesRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableSeries(ctx, parseId('id', id)),
  }),
}));

const CategoryLimitInputType = builder.inputType('CategoryLimitInput', {
  fields: (t) => ({
    category: t.string({ required: true, description: 'a wristband category (GA, VIP, CREW); upper-cased' }),
    capacity: t.int({ required: true, description: 'how many of the category may be inside at once' }),
  }),
});

type InputFields = PothosSchemaTypes.InputFieldBuilder<
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never,
  'InputObject'
>;

/** The fields a series and a recurring parent are created with. */
export const seriesInputFields = (t: InputFields) => ({
  eventId: t.id({ required: true }),
  name: t.string({ required: true }),
  startsAt: t.field({ type: 'DateTime', required: true }),
  endsAt: t.field({ type: 'DateTime', required: true }),
  checkInOpensAt: t.field({ type: 'DateTime', description: 'default: startsAt; at most 24 hours before it' }),
  checkInClosesAt: t.field({ type: 'DateTime', description: 'default: endsAt; not after it' }),
  capacity: t.int({ required: true }),
  entryRule: t.field({ type: EntryRuleEnum, description: 'default: REENTRY' }),
  gateIds: t.idList({ required: false, description: 'gates of the same event that serve this series' }),
  categoryLimits: t.field({ type: [CategoryLimitInputType], description: 'per-category capacities (GA 10000, VIP 500, …)' }),
});

const CreateEventSeriesInput = builder.inputType('CreateEventSeriesInput', { fields: (t) => seriesInputFields(t) });

export interface SeriesFieldsInput {
  eventId: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  checkInOpensAt?: Date | null;
  checkInClosesAt?: Date | null;
  capacity: number;
  entryRule?: EntryRule | null;
  gateIds?: readonly string[] | null;
  categoryLimits?: readonly CategoryLimitInput[] | null;
}

/** Everything checkable before the transaction: the event, the permission, the times, the limits, the gates. */
export async function checkedSeriesInput(ctx: AccessContext, input: SeriesFieldsInput) {
  const { eventId, organizationId } = await eventToChange(
    ctx.db,
    ctx.principal,
    parseId('eventId', input.eventId),
    'series.create',
  );
  const name = requireText('name', input.name, 80);
  const times: SeriesTimes = {
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    checkInOpensAt: input.checkInOpensAt ?? input.startsAt,
    checkInClosesAt: input.checkInClosesAt ?? input.endsAt,
  };
  const problem = checkSeriesTimes(times) ?? checkCapacity('capacity', input.capacity);
  if (problem) throw fail(problem);
  const limits = checkCategoryLimits([...(input.categoryLimits ?? [])]);
  if ('problem' in limits) throw fail(limits.problem);
  const gateIds = await eventGates(ctx.db, { eventId, organizationId }, input.gateIds ?? []);
  return {
    data: { organizationId, eventId, name, ...times, capacity: input.capacity, entryRule: input.entryRule ?? 'REENTRY' },
    gateIds,
    categoryLimits: limits.limits,
  };
}

const UpdateEventSeriesInput = builder.inputType('UpdateEventSeriesInput', {
  description: 'only the fields given change; a series changes these only while DRAFT or SCHEDULED',
  fields: (t) => ({
    name: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    checkInOpensAt: t.field({ type: 'DateTime' }),
    checkInClosesAt: t.field({ type: 'DateTime' }),
    capacity: t.int(),
    entryRule: t.field({ type: EntryRuleEnum }),
  }),
});

builder.mutationFields((t) => ({
  createEventSeries: t.field({
    type: EventSeriesRef,
    args: { input: t.arg({ type: CreateEventSeriesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { data, gateIds, categoryLimits } = await checkedSeriesInput(ctx, input);
      return ctx.transact(async (tx, announce) => {
        refuseOverlap(data, await lockEventSeries(tx, data.eventId));
        const series = await tx.eventSeries.create({
          data: {
            ...data,
            gates: { create: gateIds.map((gateId) => ({ gateId })) },
            categoryLimits: { create: categoryLimits },
          },
        });
        await announce('series.created', { seriesId: series.id, eventId: series.eventId, organizationId: series.organizationId });
        return series;
      });
    },
  }),
  updateEventSeries: t.field({
    type: EventSeriesRef,
    description: 'Changes a DRAFT or SCHEDULED series (SERIES_NOT_EDITABLE otherwise); checked as a whole, like a new one.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateEventSeriesInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const { input } = args;
      const name = input.name === null || input.name === undefined ? undefined : requireText('name', input.name, 80);
      const capacityProblem =
        input.capacity === null || input.capacity === undefined ? null : checkCapacity('capacity', input.capacity);
      if (capacityProblem) throw fail(capacityProblem);
      return ctx.transact(async (tx, announce) => {
        const current = await seriesToChange(tx, ctx.principal, id, 'series.manage');
        const others = await lockEventSeries(tx, current.eventId);
        const series = (await tx.eventSeries.findUnique({ where: { id } }))!;
        if (!EDITABLE_STATUSES.includes(series.status)) throw fail(notEditable(series.status, 'times, capacity or entry rule'));
        const times = mergeTimes(series, input);
        const problem = checkSeriesTimes(times);
        if (problem) throw fail(problem);
        if (!isTemplate(series)) refuseOverlap({ id, ...times }, others);
        const data = { ...times, name, capacity: input.capacity ?? undefined, entryRule: input.entryRule ?? undefined };
        const changed = Object.entries(data)
          .filter(([key, value]) => value !== undefined && String(value) !== String(series[key as keyof EventSeries]))
          .map(([key]) => key);
        const updated = await tx.eventSeries.update({ where: { id }, data });
        if (changed.length) await announce('series.updated', seriesUpdated(series, changed));
        return updated;
      });
    },
  }),
  transitionEventSeries: t.field({
    type: EventSeriesRef,
    description: 'DRAFT → SCHEDULED → ACTIVE → COMPLETED, or CANCELLED from any status that is not final; every move is logged.',
    args: {
      id: t.arg.id({ required: true }),
      to: t.arg({ type: SeriesStatusEnum, required: true }),
      reason: t.arg.string({ description: 'why, kept in the log' }),
    },
    resolve: (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const reason = args.reason ? requireText('reason', args.reason, 500) : null;
      return ctx.transact(async (tx, announce) => {
        const current = await seriesToChange(tx, ctx.principal, id, 'series.manage');
        const from = current.status as SeriesStatus;
        // a recurring parent is a template: it may only be cancelled
        const check =
          isTemplate(current) && args.to !== 'CANCELLED' && from !== args.to
            ? checkTemplateTransition(args.to)
            : checkSeriesTransition(from, args.to);
        if (!check.ok) throw new DomainError(check.code, check.message, { from, to: args.to });
        const moved = await applySeriesTransition(tx, announce, {
          series: current,
          from,
          to: args.to,
          actor: actorOf(ctx.principal),
          reason,
        });
        if (!moved) throw new DomainError('CONFLICT', 'the series changed while it was being updated; try again');
        return (await tx.eventSeries.findUnique({ where: { id } }))!;
      });
    },
  }),
  setSeriesGates: t.field({
    type: EventSeriesRef,
    description: 'Replaces the gates that serve a series (gates of its own event only).',
    args: { seriesId: t.arg.id({ required: true }), gateIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('seriesId', args.seriesId);
      const series = await seriesToChange(ctx.db, ctx.principal, id, 'series.manage');
      const gateIds = await eventGates(ctx.db, series, args.gateIds);
      return ctx.transact(async (tx, announce) => {
        const current = (await tx.eventSeries.findUnique({ where: { id } }))!;
        refuseFinal(current, 'gates');
        await tx.seriesGate.deleteMany({ where: { seriesId: id, gateId: { notIn: gateIds } } });
        await tx.seriesGate.createMany({ data: gateIds.map((gateId) => ({ seriesId: id, gateId })), skipDuplicates: true });
        await announce('series.updated', seriesUpdated(series, ['gates']));
        return current;
      });
    },
  }),
}));

/** Gates and limits may still change while the series runs, not once it is over. */
export function refuseFinal(series: EventSeries, what: string) {
  if (!CONFIGURABLE_STATUSES.includes(series.status)) throw fail(notEditable(series.status, what));
}
