import { builder } from '../builder';
import { VenueRef } from './venue';

/** Organisations belong to users; this subgraph adds what they run. */
export const OrganizationRef = builder.externalRef('Organization', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    venues: t.field({
      type: [VenueRef],
      resolve: (org, _args, ctx) => ctx.loaders.venuesOfOrganization.load(org.id),
    }),
  }),
});
