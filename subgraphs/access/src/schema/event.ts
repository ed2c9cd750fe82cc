import { can } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { AccessContext } from '../context';
import { GateRef } from './gate';
import { EventSeriesRef } from './series';

/** Events belong to the events subgraph; access adds their series and gates. */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    series: t.field({
      type: [EventSeriesRef],
      description: "the event's admission periods; empty unless the caller may read its organisation",
      resolve: async (event, _args, ctx) => readable(ctx, await ctx.loaders.seriesOfEvent.load(event.id)),
    }),
    seriesCount: t.int({
      description: 'how many series the event has, as far as the caller may see them',
      resolve: async (event, _args, ctx) => readable(ctx, await ctx.loaders.seriesOfEvent.load(event.id)).length,
    }),
    gates: t.field({
      type: [GateRef],
      description: "the event's gates; empty unless the caller may read its organisation",
      resolve: async (event, _args, ctx) => readable(ctx, await ctx.loaders.gatesOfEvent.load(event.id)),
    }),
  }),
});

const readable = <T extends { organizationId: string }>(ctx: AccessContext, rows: T[]) =>
  rows.filter((row) => can(ctx.principal, 'organization.read', row.organizationId));
