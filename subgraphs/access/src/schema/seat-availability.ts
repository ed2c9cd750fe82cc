import { clearLoaders, LruCache, type BusEvent } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { AccessContext } from '../context';
import type { KnownEvent, TicketType } from '../generated/prisma/client';
import { seatsNow, type EventSeatView } from '../sales/seat-reads';
import { SEAT_TOPIC } from '../sales/seats';
import { EventSeatRef } from './seat';
import { shownTypeEvents } from './ticket-availability';
import { TicketTypeRef } from './ticket-type';

interface SeatChange {
  ticketType: TicketType;
  seats: EventSeatView[];
}

interface Reading {
  type: TicketType;
  event: KnownEvent | null;
  seats: EventSeatView[];
}

// per process, each change read once for all its subscribers (a sell-out moves many seats at once)
const readings = new LruCache<string, Promise<Reading | null>>(1_000, 60_000);

/** The seats a change names as they are when it is delivered, so changes reaching a process out of order end on what is true now. */
function readingOf(ctx: AccessContext, busEvent: BusEvent): Promise<Reading | null> {
  const known = readings.get(busEvent.id);
  if (known) return known;
  const { ticketTypeId, eventId, seats } = busEvent.payload as {
    ticketTypeId: string;
    eventId: string;
    seats: Array<{ seatId: string }>;
  };
  const reading = (async () => {
    const type = await ctx.db.ticketType.findUnique({ where: { id: ticketTypeId } });
    if (!type) return null;
    const [event, now] = await Promise.all([
      ctx.db.knownEvent.findUnique({ where: { eventId } }),
      seatsNow(
        ctx.sql,
        eventId,
        seats.map((s) => s.seatId),
      ),
    ]);
    return { type, event, seats: now };
  })();
  readings.set(busEvent.id, reading);
  return reading;
}

const SeatAvailabilityChangeRef = builder.objectRef<SeatChange>('SeatAvailabilityChange').implement({
  description:
    'Seats of one ticket type whose status changed together (a hold placed, released or expired, a booking confirmed or cancelled).',
  fields: (t) => ({
    ticketType: t.field({ type: TicketTypeRef, resolve: (change) => change.ticketType }),
    seats: t.field({
      type: [EventSeatRef],
      description: 'the seats that changed, as they are now',
      resolve: (change) => change.seats,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  seatAvailabilityChanged: t.field({
    type: SeatAvailabilityChangeRef,
    description:
      'The event’s seats each time some change status: a partner site shows them being taken and freed. Shows the seats of the types `Event.ticketTypes` shows the caller (HIDDEN ones with their accessCode, all to the organisation).',
    args: { eventId: t.arg.id({ required: true }), accessCode: t.arg.string() },
    subscribe: (_root, args, ctx) => shownTypeEvents(ctx, args, SEAT_TOPIC, (e) => readingOf(ctx, e)),
    resolve: async (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      const reading = (await readingOf(ctx, busEvent))!;
      return { ticketType: reading.type, seats: reading.seats };
    },
  }),
}));
