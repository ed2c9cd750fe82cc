import { builder } from '../builder';
import { canSeeSource } from '../visibility';
import { SourceRef } from './source';

/** Events belong to the events subgraph; ingest adds where they came from. */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    sources: t.field({
      type: [SourceRef],
      description: 'The sources this event was aggregated from.',
      resolve: async (event, _args, ctx) =>
        (await ctx.loaders.sourcesOfEvent.load(event.id)).filter((s) => canSeeSource(ctx.principal, s)),
    }),
  }),
});
