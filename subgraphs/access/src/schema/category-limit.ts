import { parseId, sqlOf } from '@eventgraph/runtime';
import { recountCategory } from '../check-in/occupancy-shards';
import { builder } from '../builder';
import { checkCapacity, checkCategory, checkLimitCoversInside, normalizeCategory } from '../domain/series-rules';
import type { CategoryLimitWithOccupancy } from '../context';
import { EventSeriesRef, fail, refuseFinal, seriesToChange, seriesUpdated } from './series';

const CategoryLimitRef = builder.objectRef<CategoryLimitWithOccupancy>('CategoryLimit');

CategoryLimitRef.implement({
  description: 'How many wristbands of one category a series admits at once (GA 10,000, VIP 500, CREW 200).',
  fields: (t) => ({
    category: t.exposeString('category'),
    capacity: t.exposeInt('capacity'),
    inside: t.exposeInt('inside', { description: 'wristbands of the category inside now' }),
    remaining: t.int({ resolve: (l) => Math.max(0, l.capacity - l.inside) }),
  }),
});

builder.objectField(EventSeriesRef, 'categoryLimits', (t) =>
  t.field({
    type: [CategoryLimitRef],
    description: 'per-category capacities, by category',
    resolve: (s, _args, ctx) => ctx.loaders.categoryLimitsOfSeries.load(s.id),
  }),
);

const parseCategory = (value: string) => {
  const category = normalizeCategory(value);
  const problem = checkCategory('category', category);
  if (problem) throw fail(problem);
  return category;
};

builder.mutationFields((t) => ({
  setSeriesCategoryLimit: t.field({
    type: EventSeriesRef,
    description:
      'Sets (or adds) the capacity of one wristband category in a series; wristbands of the category already inside count against it, so it may not be below them (CATEGORY_LIMIT_BELOW_INSIDE).',
    args: {
      seriesId: t.arg.id({ required: true }),
      category: t.arg.string({ required: true }),
      capacity: t.arg.int({ required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const id = parseId('seriesId', args.seriesId);
      const category = parseCategory(args.category);
      const problem = checkCapacity('capacity', args.capacity);
      if (problem) throw fail(problem);
      return ctx.transact(async (tx, announce) => {
        const series = await seriesToChange(tx, ctx.principal, id, 'series.manage');
        refuseFinal(series, 'category limits');
        await tx.seriesCategoryLimit.upsert({
          where: { seriesId_category: { seriesId: id, category } },
          create: { seriesId: id, category, capacity: args.capacity },
          update: { capacity: args.capacity },
        });
        // those of the category inside now count against the limit from the start
        const inside = await recountCategory(sqlOf(tx), id, category, args.capacity);
        const below = checkLimitCoversInside('capacity', args.capacity, inside);
        if (below) throw fail(below);
        await announce('series.updated', seriesUpdated(series, ['categoryLimits']));
        return series;
      });
    },
  }),
  removeSeriesCategoryLimit: t.field({
    type: EventSeriesRef,
    description: 'Removes the limit of one category: the series capacity alone then applies to it.',
    args: { seriesId: t.arg.id({ required: true }), category: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('seriesId', args.seriesId);
      const category = parseCategory(args.category);
      return ctx.transact(async (tx, announce) => {
        const series = await seriesToChange(tx, ctx.principal, id, 'series.manage');
        refuseFinal(series, 'category limits');
        const { count } = await tx.seriesCategoryLimit.deleteMany({ where: { seriesId: id, category } });
        if (count) await announce('series.updated', seriesUpdated(series, ['categoryLimits']));
        return series;
      });
    },
  }),
}));
