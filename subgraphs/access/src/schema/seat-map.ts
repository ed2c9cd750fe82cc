import { afterWhere, can, decodeCursor, encodeCursor, pageOf, pageSize, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { MAX_SEATS_PER_MAP, MAX_SEATS_PER_ROW } from '../domain/seats';
import type { Seat, SeatMap } from '../generated/prisma/client';
import { assignSeatMap, createSeatMap, readableSeatMap } from '../sales/seat-maps';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './event';

/** Layouts one venue may have: listed whole. */
const MAX_MAPS_LISTED = 100;

export const SeatMapRef = builder.objectRef<SeatMap>('SeatMap');
const SeatRef = builder.objectRef<Seat>('Seat');

SeatRef.implement({
  description: 'A seat of a seat map.',
  fields: (t) => ({
    id: t.exposeID('id'),
    section: t.exposeString('section'),
    row: t.exposeString('row'),
    number: t.exposeString('number'),
    position: t.exposeInt('position', { description: 'its place in its row from 0: neighbours differ by 1' }),
    accessible: t.exposeBoolean('accessible'),
    category: t.exposeString('category', { description: 'sold as the event’s ticket type of this category' }),
    rank: t.exposeInt('rank', { description: 'best-available takes the lowest first' }),
  }),
});

const SeatConnectionRef = connectionType('Seat', SeatRef);

SeatMapRef.implement({
  description:
    'A layout of a venue’s seats (sections, rows, seats), made by the venue’s organisation; assigned to an event, its seats go on sale.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    venueId: t.exposeID('venueId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    seatCount: t.int({ resolve: (map, _args, ctx) => ctx.db.seat.count({ where: { seatMapId: map.id } }) }),
    seats: t.field({
      type: SeatConnectionRef,
      description: 'best-ranked first',
      args: { ...pageArgs(t.arg) },
      listSize: pageListSize,
      resolve: async (map, args, ctx) => {
        const first = pageSize(args.first);
        const after = args.after != null ? decodeCursor(args.after, 'number', 'seats') : null;
        const where = { seatMapId: map.id };
        const rows = await ctx.db.seat.findMany({
          where: after ? { AND: [where, afterWhere('rank', after)] } : where,
          orderBy: [{ rank: 'asc' }, { id: 'asc' }],
          take: first + 1,
        });
        return pageOf(rows, first, {
          after: args.after,
          cursorOf: (seat) => encodeCursor(seat.rank, seat.id, 'seats'),
          count: () => ctx.db.seat.count({ where }),
        });
      },
    }),
  }),
});

const SeatRowInput = builder.inputType('SeatRowInput', {
  fields: (t) => ({
    section: t.string({ required: true, description: 'e.g. Stalls (1–50 characters)' }),
    row: t.string({ required: true, description: 'e.g. A (1–20 characters), once per section' }),
    numbers: t.stringList({
      required: true,
      description: `the seats' numbers in order along the row (neighbours are neighbours), each once; at most ${MAX_SEATS_PER_ROW}`,
    }),
    category: t.string({ required: true, description: 'what the row sells as (upper-cased): one ticket type per category' }),
    accessible: t.stringList({ description: 'the numbers of its accessible seats (wheelchair places)' }),
    rank: t.int({ description: 'lower rows sell first in best-available (0–100,000); default: the row’s place in the list' }),
  }),
});

const CreateSeatMapInput = builder.inputType('CreateSeatMapInput', {
  fields: (t) => ({
    venueId: t.id({ required: true }),
    name: t.string({ required: true, description: 'unique for the venue (1–100 characters)' }),
    rows: t.field({ type: [SeatRowInput], required: true, description: `best rows first; at most ${MAX_SEATS_PER_MAP} seats` }),
  }),
});

const SeatCategoryTypeInput = builder.inputType('SeatCategoryTypeInput', {
  fields: (t) => ({
    category: t.string({ required: true }),
    ticketTypeId: t.id({ required: true, description: 'a ticket type of the event with nothing sold or held' }),
  }),
});

const AssignSeatMapInput = builder.inputType('AssignSeatMapInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    seatMapId: t.id({ required: true, description: 'a seat map of the event’s venue' }),
    ticketTypes: t.field({
      type: [SeatCategoryTypeInput],
      required: true,
      description: 'the ticket type each category of the map sells as (every category, once)',
    }),
  }),
});

builder.objectFields(EventRef, (t) => ({
  seatMap: t.field({
    type: SeatMapRef,
    nullable: true,
    description: 'the seat map whose seats the event sells (its organisation only)',
    resolve: async (event, _args, ctx) => {
      const known = await ctx.loaders.knownEvent.load(event.id);
      if (!known || !can(ctx.principal, 'organization.read', known.organizationId)) return null;
      const seat = await ctx.db.eventSeat.findFirst({
        where: { eventId: event.id },
        select: { seat: { select: { seatMapId: true } } },
      });
      return seat ? ctx.db.seatMap.findUnique({ where: { id: seat.seat.seatMapId } }) : null;
    },
  }),
}));

builder.queryFields((t) => ({
  seatMap: t.field({
    type: SeatMapRef,
    nullable: true,
    description: 'A seat map, for its organisation; null for anyone else.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => readableSeatMap(ctx, parseId('id', args.id)),
  }),
  seatMaps: t.field({
    type: [SeatMapRef],
    description: `A venue's seat maps (at most ${MAX_MAPS_LISTED}), for its organisation; empty for anyone else.`,
    args: { venueId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const venueId = parseId('venueId', args.venueId);
      const maps = await ctx.db.seatMap.findMany({ where: { venueId }, orderBy: { name: 'asc' }, take: MAX_MAPS_LISTED });
      return maps.filter((map) => can(ctx.principal, 'organization.read', map.organizationId));
    },
  }),
}));

builder.mutationFields((t) => ({
  createSeatMap: t.field({
    type: SeatMapRef,
    description:
      'Makes a layout of a venue with all its seats (the venue’s organisation, sales.manage). Maps do not change after: make a new one.',
    args: { input: t.arg({ type: CreateSeatMapInput, required: true }) },
    resolve: (_root, { input }, ctx) => createSeatMap(ctx, input),
  }),
  assignSeatMap: t.field({
    type: EventRef,
    description:
      'Puts a seat map’s seats on sale for an event of its venue, each category under a ticket type of the event (whose quantity becomes its seat count). Once per event.',
    args: { input: t.arg({ type: AssignSeatMapInput, required: true }) },
    resolve: (_root, { input }, ctx) => assignSeatMap(ctx, input),
  }),
}));
