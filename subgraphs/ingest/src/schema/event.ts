import { builder } from '../builder';
import { SourceRef } from './source';

/** Events belong to the events subgraph; ingest adds where they came from. */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    sources: t.field({
      type: [SourceRef],
      description: 'The sources this event was aggregated from.',
      resolve: (event, _args, ctx) => ctx.loaders.sourcesOfEvent.load(event.id),
    }),
  }),
});
