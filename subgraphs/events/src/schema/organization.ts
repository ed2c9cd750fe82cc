import { parsePageSize } from '@eventgraph/runtime';
import { builder } from '../builder';
import { listedEventsWhere } from '../visibility';
import { EventRef } from './event';
import { VenueRef } from './venue';

/** Organisations belong to users; this subgraph adds what they run. */
export const OrganizationRef = builder.externalRef('Organization', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    venues: t.field({
      type: [VenueRef],
      resolve: (org, _args, ctx) => ctx.loaders.venuesOfOrganization.load(org.id),
    }),
    events: t.field({
      type: [EventRef],
      args: { first: t.arg.int({ defaultValue: 50 }) },
      resolve: (org, { first }, ctx) =>
        ctx.db.event.findMany({
          where: { organizationId: org.id, ...listedEventsWhere(ctx.principal) },
          orderBy: { startsAt: 'asc' },
          take: parsePageSize('first', first, 50, 100),
        }),
    }),
  }),
});
