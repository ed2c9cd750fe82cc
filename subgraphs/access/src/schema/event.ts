import { builder } from '../builder';
import { GateRef } from './gate';
import { EventSeriesRef } from './series';

/** Events belong to the events subgraph; access adds their series and gates. */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    series: t.field({ type: [EventSeriesRef], resolve: (event, _args, ctx) => ctx.loaders.seriesOfEvent.load(event.id) }),
    gates: t.field({ type: [GateRef], resolve: (event, _args, ctx) => ctx.loaders.gatesOfEvent.load(event.id) }),
  }),
});
