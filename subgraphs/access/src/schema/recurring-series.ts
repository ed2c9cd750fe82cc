import { DomainError, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { checkRecurrence, occurrences, WEEKDAYS, type RecurrencePattern } from '../domain/recurrence';
import type { EventSeries } from '../generated/prisma/client';
import {
  checkedSeriesInput,
  EventSeriesRef,
  fail,
  lockEventSeries,
  refuseOverlap,
  seriesInputFields,
  seriesToChange,
} from './series';

const FrequencyEnum = builder.enumType('RecurrenceFrequency', { values: ['DAILY', 'WEEKLY'] as const });
const WeekdayEnum = builder.enumType('Weekday', { values: WEEKDAYS });

const RecurrenceRef = builder.objectRef<RecurrencePattern>('SeriesRecurrence');
RecurrenceRef.implement({
  description: 'How a recurring parent repeats; its occurrences keep its local start time in timeZone.',
  fields: (t) => ({
    frequency: t.field({ type: FrequencyEnum, resolve: (r) => r.frequency }),
    interval: t.exposeInt('interval'),
    count: t.exposeInt('count', { nullable: true }),
    until: t.field({ type: 'DateTime', nullable: true, resolve: (r) => (r.until ? new Date(r.until) : null) }),
    timeZone: t.exposeString('timeZone'),
    byWeekday: t.field({ type: [WeekdayEnum], nullable: true, resolve: (r) => r.byWeekday }),
  }),
});

builder.objectField(EventSeriesRef, 'recurrence', (t) =>
  t.field({
    type: RecurrenceRef,
    nullable: true,
    description: 'set on a recurring parent, a template that admits no one itself',
    resolve: (s) => s.recurrence as RecurrencePattern | null,
  }),
);

const RecurrenceInput = builder.inputType('RecurrenceInput', {
  description: 'give count or until, not both; at most 366 occurrences',
  fields: (t) => ({
    frequency: t.field({ type: FrequencyEnum, required: true }),
    interval: t.int({ description: 'every n days or weeks; default 1' }),
    count: t.int(),
    until: t.field({ type: 'DateTime', description: 'the last moment an occurrence may start' }),
    timeZone: t.string({ required: true, description: 'IANA time zone whose wall clock the occurrences keep' }),
    byWeekday: t.field({ type: [WeekdayEnum], description: 'WEEKLY only; default: the first occurrence’s day' }),
  }),
});

const CreateRecurringEventSeriesInput = builder.inputType('CreateRecurringEventSeriesInput', {
  description: 'the parent’s own times are the first occurrence; its children, named "<name> <sequence number>", copy the rest',
  fields: (t) => ({
    ...seriesInputFields(t),
    recurrence: t.field({ type: RecurrenceInput, required: true }),
  }),
});

const GeneratedOccurrencesRef = builder
  .objectRef<{ parent: EventSeries; created: EventSeries[]; children: EventSeries[] }>('GeneratedOccurrences')
  .implement({
    fields: (t) => ({
      parent: t.field({ type: EventSeriesRef, resolve: (r) => r.parent }),
      created: t.field({ type: [EventSeriesRef], description: 'the series this call created', resolve: (r) => r.created }),
      children: t.field({ type: [EventSeriesRef], description: 'all of the parent’s series', resolve: (r) => r.children }),
    }),
  });

function patternOccurrences(pattern: RecurrencePattern, first: { startsAt: Date; endsAt: Date }) {
  const result = occurrences(pattern, first);
  if ('problem' in result) throw fail(result.problem);
  return result.occurrences;
}

builder.mutationFields((t) => ({
  createRecurringEventSeries: t.field({
    type: EventSeriesRef,
    description:
      'A recurring parent: a template holding the pattern, gates and category limits. generateSeriesOccurrences makes its series.',
    args: { input: t.arg({ type: CreateRecurringEventSeriesInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { data, gateIds, categoryLimits } = await checkedSeriesInput(ctx, input);
      const checked = checkRecurrence(input.recurrence);
      if ('problem' in checked) throw fail(checked.problem);
      patternOccurrences(checked.pattern, data);
      return ctx.transact(async (tx, announce) => {
        const series = await tx.eventSeries.create({
          data: {
            ...data,
            recurrence: { ...checked.pattern },
            gates: { create: gateIds.map((gateId) => ({ gateId })) },
            categoryLimits: { create: categoryLimits },
          },
        });
        await announce('series.created', { seriesId: series.id, eventId: series.eventId, organizationId: series.organizationId });
        return series;
      });
    },
  }),
  generateSeriesOccurrences: t.field({
    type: GeneratedOccurrencesRef,
    description:
      'Creates the recurring parent’s missing series (sequence numbers 1..n) with its capacity, entry rule, window, gates and category limits. Running it again creates nothing twice.',
    args: { parentId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('parentId', args.parentId);
      return ctx.transact(async (tx, announce) => {
        const found = await seriesToChange(tx, ctx.principal, id, 'series.create');
        const others = await lockEventSeries(tx, found.eventId);
        const parent = (await tx.eventSeries.findUnique({
          where: { id },
          include: { gates: true, categoryLimits: true, children: { select: { sequenceNumber: true } } },
        }))!;
        if (!parent.recurrence)
          throw new DomainError('SERIES_NOT_RECURRING', `series ${id} has no recurrence pattern`, { field: 'parentId' });
        if (parent.status === 'CANCELLED')
          throw new DomainError('SERIES_NOT_EDITABLE', 'a cancelled recurring series generates nothing');
        const existing = new Set(parent.children.map((c) => c.sequenceNumber));
        const opensAfterStart = parent.checkInOpensAt.getTime() - parent.startsAt.getTime();
        const closesAfterStart = parent.checkInClosesAt.getTime() - parent.startsAt.getTime();
        const created: EventSeries[] = [];
        for (const occurrence of patternOccurrences(parent.recurrence as unknown as RecurrencePattern, parent)) {
          if (existing.has(occurrence.sequenceNumber)) continue;
          // against every real series of the event, the ones created just now included
          refuseOverlap(occurrence, others);
          const child = await tx.eventSeries.create({
            data: {
              organizationId: parent.organizationId,
              eventId: parent.eventId,
              name: `${parent.name} ${occurrence.sequenceNumber}`.slice(0, 80),
              startsAt: occurrence.startsAt,
              endsAt: occurrence.endsAt,
              checkInOpensAt: new Date(occurrence.startsAt.getTime() + opensAfterStart),
              checkInClosesAt: new Date(occurrence.startsAt.getTime() + closesAfterStart),
              capacity: parent.capacity,
              entryRule: parent.entryRule,
              parentId: parent.id,
              sequenceNumber: occurrence.sequenceNumber,
              gates: { create: parent.gates.map(({ gateId }) => ({ gateId })) },
              categoryLimits: { create: parent.categoryLimits.map(({ category, capacity }) => ({ category, capacity })) },
            },
          });
          others.push({ ...child, isTemplate: false });
          created.push(child);
          await announce('series.created', { seriesId: child.id, eventId: child.eventId, organizationId: child.organizationId });
        }
        const children = await tx.eventSeries.findMany({ where: { parentId: id }, orderBy: { sequenceNumber: 'asc' } });
        return { parent, created, children };
      });
    },
  }),
}));
