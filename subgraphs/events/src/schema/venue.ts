import { DomainError, notFound, parseId, parseSlug, requirePermission, requireText } from '@eventgraph/runtime';
import { builder } from '../builder';
import { capacityProblems, coordinateProblems, countryProblems, roundCoordinate, type Problem } from '../domain/event-details';
import { canonicalTimeZone } from '../domain/schedule';
import type { Prisma, Venue } from '../generated/prisma/client';
import { zoneKnownToDatabase } from '../venue-places';
import { OrganizationRef } from './organization';

export const VenueRef = builder.objectRef<Venue>('Venue');

builder.asEntity(VenueRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.venue.load(id),
});

const AddressRef = builder.objectRef<Venue>('Address').implement({
  fields: (t) => ({
    line1: t.exposeString('addressLine1', { nullable: true }),
    line2: t.exposeString('addressLine2', { nullable: true }),
    postalCode: t.exposeString('postalCode', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    region: t.exposeString('region', { nullable: true }),
    countryCode: t.exposeString('countryCode', { nullable: true }),
  }),
});

export const CoordinatesRef = builder.objectRef<{ latitude: number; longitude: number }>('Coordinates').implement({
  fields: (t) => ({ latitude: t.exposeFloat('latitude'), longitude: t.exposeFloat('longitude') }),
});

VenueRef.implement({
  description: 'A place where events happen, owned by an organisation. Venues are public.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    timeZone: t.exposeString('timeZone', {
      description: "IANA time zone, e.g. Europe/Berlin: the zone of its events' local times",
    }),
    city: t.exposeString('city', { nullable: true }),
    address: t.field({ type: AddressRef, resolve: (venue) => venue }),
    coordinates: t.field({
      type: CoordinatesRef,
      nullable: true,
      resolve: (v) => (v.latitude != null && v.longitude != null ? { latitude: v.latitude, longitude: v.longitude } : null),
    }),
    maxCapacity: t.exposeInt('maxCapacity'),
    settings: t.field({ type: 'JSONObject', resolve: (v) => v.settings as Record<string, unknown> }),
    organization: t.field({ type: OrganizationRef, nullable: true, resolve: (venue) => ({ id: venue.organizationId }) }),
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

const venueFields = (required: boolean) =>
  builder.inputType(required ? 'CreateVenueInput' : 'UpdateVenueInput', {
    description: required ? undefined : 'Only the fields given change; null clears an optional field.',
    fields: (t) => ({
      ...(required ? { organizationId: t.id({ required: true }) } : {}),
      name: t.string({ required }),
      slug: t.string({ required }),
      timeZone: t.string({ required }),
      addressLine1: t.string(),
      addressLine2: t.string(),
      postalCode: t.string(),
      city: t.string(),
      region: t.string(),
      countryCode: t.string(),
      latitude: t.float(),
      longitude: t.float(),
      maxCapacity: t.int(),
      settings: t.field({ type: 'JSONObject' }),
    }),
  });

const CreateVenueInput = venueFields(true);
const UpdateVenueInput = venueFields(false);

type VenueInput = Partial<typeof UpdateVenueInput.$inferInput>;

/** Validates a venue's details (on top of `current`, when updating) and returns the columns to write. */
function venueDetails(input: VenueInput, current?: Venue): Prisma.VenueUncheckedUpdateInput {
  const data: Prisma.VenueUncheckedUpdateInput = {};
  const problems: Problem[] = [];
  if (input.name != null) data.name = requireText('name', input.name);
  if (input.slug != null) data.slug = parseSlug('slug', input.slug);
  if (input.timeZone != null) {
    const timeZone = canonicalTimeZone(input.timeZone);
    if (!timeZone) problems.push({ field: 'timeZone', message: `"${input.timeZone}" is not an IANA time zone` });
    data.timeZone = timeZone ?? input.timeZone;
  }
  for (const field of ['addressLine1', 'addressLine2', 'postalCode', 'city', 'region'] as const) {
    if (input[field] !== undefined) data[field] = input[field] === null ? null : requireText(field, input[field]!, 200);
  }
  if (input.countryCode !== undefined) data.countryCode = input.countryCode?.toUpperCase() ?? null;
  problems.push(...countryProblems(data.countryCode as string | null | undefined));
  for (const field of ['latitude', 'longitude', 'maxCapacity', 'settings'] as const) {
    if (input[field] !== undefined) (data as Record<string, unknown>)[field] = input[field];
    for (const field of ['latitude', 'longitude'] as const) if (input[field] != null) data[field] = roundCoordinate(input[field]);
  }
  const latitude = input.latitude !== undefined ? input.latitude : current?.latitude;
  const longitude = input.longitude !== undefined ? input.longitude : current?.longitude;
  problems.push(...coordinateProblems(latitude, longitude), ...capacityProblems(input.maxCapacity));
  const [first] = problems;
  if (first) throw new DomainError('BAD_USER_INPUT', `${first.field}: ${first.message}`, { field: first.field, problems });
  return data;
}

/** What a venue's announcements say of its place: ingest matches feed locations to known venues by it. */
const placeOf = (venue: Venue) => ({
  name: venue.name,
  city: venue.city,
  country: venue.countryCode,
  latitude: venue.latitude,
  longitude: venue.longitude,
  // access bounds the tickets sold for the venue's events by it (0: not stated)
  maxCapacity: venue.maxCapacity,
});

builder.mutationFields((t) => ({
  createVenue: t.field({
    type: VenueRef,
    args: { input: t.arg({ type: CreateVenueInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = parseId('organizationId', (input as { organizationId: string }).organizationId);
      const data = venueDetails(input as VenueInput) as Prisma.VenueUncheckedCreateInput;
      requirePermission(ctx.principal, 'events.write', organizationId);
      await zoneKnownToDatabase(ctx.db, data.timeZone, 'timeZone');
      return ctx.transact(async (tx, announce) => {
        const venue = await tx.venue.create({ data: { ...data, organizationId } });
        await announce('venue.created', { venueId: venue.id, organizationId, ...placeOf(venue) });
        return venue;
      });
    },
  }),
  updateVenue: t.field({
    type: VenueRef,
    description:
      "Changes a venue; a new time zone or place is announced (venue.updated) since its events' local times follow it.",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateVenueInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const current = await ctx.db.venue.findUnique({ where: { id } });
      if (!current) throw notFound('Venue', id);
      requirePermission(ctx.principal, 'events.write', current.organizationId);
      const data = venueDetails(args.input as VenueInput, current);
      if (typeof data.timeZone === 'string') await zoneKnownToDatabase(ctx.db, data.timeZone, 'timeZone');
      return ctx.transact(async (tx, announce) => {
        const venue = await tx.venue.update({ where: { id }, data });
        await announce('venue.updated', {
          venueId: id,
          organizationId: venue.organizationId,
          changed: Object.keys(data),
          ...placeOf(venue),
        });
        return venue;
      });
    },
  }),
}));
