import { badInput, parseId, parseSlug, requirePermission, requireText } from '@eventgraph/runtime';
import { canSeeEvent } from '../visibility';
import { builder } from '../builder';
import { isTimeZone } from '../domain/schedule';
import type { Venue } from '../generated/prisma/client';
import { EventRef } from './event';
import { OrganizationRef } from './organization';

export const VenueRef = builder.objectRef<Venue>('Venue');

builder.asEntity(VenueRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.venue.load(id),
});

VenueRef.implement({
  description: 'A place where events happen, owned by an organisation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    timeZone: t.exposeString('timeZone', { description: 'IANA time zone, e.g. Europe/Berlin' }),
    city: t.exposeString('city', { nullable: true }),
    organization: t.field({ type: OrganizationRef, nullable: true, resolve: (venue) => ({ id: venue.organizationId }) }),
    events: t.field({
      type: [EventRef],
      resolve: async (venue, _args, ctx) => (await ctx.loaders.eventsOfVenue.load(venue.id)).filter((e) => canSeeEvent(ctx.principal, e)),
    }),
  }),
});

builder.queryFields((t) => ({
  venue: t.field({
    type: VenueRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.loaders.venue.load(parseId('id', id)),
  }),
}));

const CreateVenueInput = builder.inputType('CreateVenueInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    name: t.string({ required: true }),
    slug: t.string({ required: true }),
    timeZone: t.string({ required: true }),
    city: t.string(),
  }),
});

builder.mutationFields((t) => ({
  createVenue: t.field({
    type: VenueRef,
    args: { input: t.arg({ type: CreateVenueInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const data = {
        organizationId: parseId('organizationId', input.organizationId),
        name: requireText('name', input.name),
        slug: parseSlug('slug', input.slug),
        timeZone: input.timeZone,
        city: input.city ? requireText('city', input.city) : null,
      };
      if (!isTimeZone(data.timeZone)) throw badInput('timeZone', `"${data.timeZone}" is not an IANA time zone`);
      requirePermission(ctx.principal, 'events.write', data.organizationId);
      return ctx.transact(async (tx, announce) => {
        const venue = await tx.venue.create({ data });
        await announce('venue.created', { venueId: venue.id, organizationId: venue.organizationId });
        return venue;
      });
    },
  }),
}));
