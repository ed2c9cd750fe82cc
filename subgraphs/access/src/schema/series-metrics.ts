import { can, clearLoaders, liveEvents, notFound, parseId, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import {
  loadSeriesMetrics,
  seriesMetricsAfter,
  type CategoryMetrics,
  type GateMetrics,
  type SeriesMetrics,
} from '../check-in/metrics';
import type { AccessContext } from '../context';
import { GateRef } from './gate';
import { EventSeriesRef, readableSeries } from './series';

const GateMetricsRef = builder.objectRef<GateMetrics>('GateMetrics').implement({
  fields: (t) => ({
    gate: t.field({ type: GateRef, resolve: async (g, _args, ctx) => (await ctx.loaders.gate.load(g.gateId))! }),
    entries: t.exposeInt('entries'),
    exits: t.exposeInt('exits'),
  }),
});

const CategoryMetricsRef = builder.objectRef<CategoryMetrics>('CategoryMetrics').implement({
  fields: (t) => ({
    category: t.exposeString('category'),
    entries: t.exposeInt('entries'),
    exits: t.exposeInt('exits'),
    inside: t.exposeInt('inside'),
    capacity: t.exposeInt('capacity', { nullable: true, description: "the category's limit in the series, if it has one" }),
    remaining: t.exposeInt('remaining', { nullable: true }),
  }),
});

const SeriesMetricsRef = builder.objectRef<SeriesMetrics>('SeriesMetrics').implement({
  description: "A series' live numbers, kept up to date by every allowed scan.",
  fields: (t) => ({
    series: t.field({ type: EventSeriesRef, resolve: async (m, _args, ctx) => (await ctx.loaders.series.load(m.seriesId))! }),
    insideNow: t.exposeInt('insideNow'),
    capacity: t.exposeInt('capacity'),
    capacityRemaining: t.exposeInt('capacityRemaining'),
    entries: t.exposeInt('entries'),
    exits: t.exposeInt('exits'),
    gates: t.field({ type: [GateMetricsRef], resolve: (m) => m.gates }),
    categories: t.field({ type: [CategoryMetricsRef], resolve: (m) => m.categories }),
  }),
});

/** Metrics are check-in data: members and up, and scanners, of the series' organisation. */
async function readableMetrics(ctx: AccessContext, seriesId: string, load = () => loadSeriesMetrics(ctx.db, seriesId)) {
  const series = await readableSeries(ctx, seriesId);
  return series && can(ctx.principal, 'checkins.read', series.organizationId) ? load() : null;
}

builder.objectField(EventSeriesRef, 'metrics', (t) =>
  t.field({
    type: SeriesMetricsRef,
    nullable: true,
    description: 'inside now, entries and exits per gate and category, capacity remaining; null without check-in rights',
    resolve: (series, _args, ctx) => readableMetrics(ctx, series.id),
  }),
);

builder.queryFields((t) => ({
  seriesMetrics: t.field({
    type: SeriesMetricsRef,
    nullable: true,
    args: { seriesId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => readableMetrics(ctx, parseId('seriesId', args.seriesId)),
  }),
}));

builder.subscriptionFields((t) => ({
  seriesMetricsUpdated: t.field({
    type: SeriesMetricsRef,
    description: "A series' metrics after every allowed scan (denied scans change nothing).",
    args: { seriesId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      const seriesId = parseId('seriesId', args.seriesId);
      const series = await readableSeries(ctx, seriesId);
      if (!series || !can(ctx.principal, 'checkins.read', series.organizationId)) throw notFound('EventSeries', seriesId);
      return liveEvents(ctx.bus, 'checkin.recorded', (e) => e.payload.seriesId === seriesId && e.payload.allowed === true);
    },
    resolve: async (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      const seriesId = busEvent.payload.seriesId as string;
      // rights checked again for each delivery; the numbers read once per scan for all subscribers
      const metrics = await readableMetrics(ctx, seriesId, () => seriesMetricsAfter(ctx.db, seriesId, busEvent.id));
      if (!metrics) throw notFound('EventSeries', seriesId);
      return metrics;
    },
  }),
}));
