import { parseId } from '@eventgraph/runtime';
import { canSeeEvent } from '../visibility';
import { builder } from '../builder';
import type { Event } from '../generated/prisma/client';
import { OrganizationRef } from './organization';
import { CoordinatesRef, VenueRef } from './venue';
import { UserRef } from './user';

export const EventStatusEnum = builder.enumType('EventStatus', {
  description:
    'DRAFT → PUBLISHED → ON_SALE ⇄ PAUSED → CLOSED; CANCELLED (it will not happen: still shown, marked cancelled) from a public status; ARCHIVED (hidden) from anywhere',
  values: ['DRAFT', 'PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED', 'CANCELLED', 'ARCHIVED'] as const,
});

export const CostTypeEnum = builder.enumType('CostType', { values: ['FREE', 'PAID', 'DONATION', 'VARIABLE'] as const });
export const VisibilityEnum = builder.enumType('Visibility', {
  description:
    'PUBLIC: listed for everyone once published; UNLISTED: reachable by id or link only; PRIVATE and FRIENDS: the organisation (or, for user events, the people it chooses)',
  values: ['PUBLIC', 'UNLISTED', 'PRIVATE', 'FRIENDS'] as const,
});
export const EventOriginEnum = builder.enumType('EventOrigin', { values: ['SOURCE', 'ORGANIZATION', 'USER'] as const });

export const EventRef = builder.objectRef<Event>('Event');

const PriceRangeRef = builder.objectRef<Event>('PriceRange').implement({
  description: 'Prices in minor units (cents) of the currency.',
  fields: (t) => ({
    min: t.exposeInt('priceMin', { nullable: true }),
    max: t.exposeInt('priceMax', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
  }),
});

builder.asEntity(EventRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const event = await ctx.loaders.event.load(id);
    return event && canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() }) ? event : null;
  },
});

EventRef.implement({
  description: 'The canonical event: what happens, where and when.',
  fields: (t) => ({
    id: t.exposeID('id'),
    title: t.exposeString('title'),
    slug: t.exposeString('slug'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    allDay: t.exposeBoolean('allDay', {
      description: 'a whole-day event (from a source that gave dates only): startsAt and endsAt (exclusive) are UTC midnights',
    }),
    status: t.field({ type: EventStatusEnum, resolve: (e) => e.status }),
    description: t.exposeString('description', {
      description: 'sanitised HTML: p, br, strong, em, u, lists, links, h3, h4, blockquote',
    }),
    categories: t.exposeStringList('categories'),
    tags: t.exposeStringList('tags'),
    imageUrls: t.exposeStringList('imageUrls'),
    costType: t.field({ type: CostTypeEnum, resolve: (e) => e.costType }),
    price: t.field({
      type: PriceRangeRef,
      nullable: true,
      resolve: (e) => (e.priceMin == null && e.priceMax == null ? null : e),
    }),
    externalUrl: t.exposeString('externalUrl', { nullable: true }),
    ticketUrl: t.exposeString('ticketUrl', { nullable: true }),
    origin: t.field({ type: EventOriginEnum, resolve: (e) => e.origin }),
    visibility: t.field({ type: VisibilityEnum, resolve: (e) => e.visibility }),
    sequence: t.exposeInt('sequence', { description: 'grows with every change a calendar shows (iCalendar SEQUENCE)' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    venue: t.field({
      type: VenueRef,
      nullable: true,
      description: "where it happens; a user's own event may have no venue (see locationName and coordinates)",
      resolve: (e, _args, ctx) => (e.venueId ? ctx.loaders.venue.load(e.venueId) : null),
    }),
    timeZone: t.string({
      description: "IANA zone of its local times: its venue's, or a user event's own",
      resolve: async (e, _args, ctx) =>
        (e.venueId ? (await ctx.loaders.venue.load(e.venueId))?.timeZone : null) ?? e.timeZone ?? 'UTC',
    }),
    locationName: t.exposeString('locationName', { nullable: true, description: "a user event's free-text place" }),
    coordinates: t.field({
      type: CoordinatesRef,
      nullable: true,
      description: "its venue's coordinates, or a user event's own",
      resolve: (e) => (e.latitude != null && e.longitude != null ? { latitude: e.latitude, longitude: e.longitude } : null),
    }),
    // nullable like every reference into another subgraph: if that subgraph is down, only this field is lost
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: "the organisation it belongs to; null for a user's own event",
      resolve: (e) => (e.organizationId ? { id: e.organizationId } : null),
    }),
    owner: t.field({
      type: UserRef,
      nullable: true,
      description: "the user who created it, for user events (origin USER); null for organisations' events",
      resolve: (e) => (e.ownerUserId ? { id: e.ownerUserId } : null),
    }),
    basedOn: t.field({
      type: EventRef,
      nullable: true,
      description: "the event a user's own event stands for in its owner's views (basedOnEventId), if the caller may see it",
      resolve: async (e, _args, ctx) => {
        const based = e.basedOnEventId ? await ctx.loaders.event.load(e.basedOnEventId) : null;
        return based && canSeeEvent(ctx.principal, based, { direct: true, friends: await ctx.friends() }) ? based : null;
      },
    }),
  }),
});

builder.queryFields((t) => ({
  event: t.field({
    type: EventRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const event = await ctx.loaders.event.load(parseId('id', id));
      return event && canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() }) ? event : null;
    },
  }),
}));
