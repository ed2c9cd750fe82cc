import { emptyConnection } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { AccessContext } from '../context';
import { ticketTypeShown } from '../sales/holds';
import { seatPage, type EventSeatView } from '../sales/seat-reads';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './event';
import { HoldRef } from './hold';
import { TicketRef } from './ticket';
import { TicketTypeRef } from './ticket-type';

export const SeatStatusEnum = builder.enumType('SeatStatus', {
  values: {
    AVAILABLE: { description: 'free to hold (a seat of an expired hold is free again)' },
    HELD: { description: 'in a buyer’s live hold' },
    BOOKED: { description: 'on a sold ticket' },
  } as const,
});

export const EventSeatRef = builder.objectRef<EventSeatView>('EventSeat');

EventSeatRef.implement({
  description: 'A seat on sale for one event, under the seated ticket type of its category; hold it by its seatId.',
  fields: (t) => ({
    seatId: t.exposeID('seatId', { description: 'the seat of the seat map (what createHold’s seatIds name)' }),
    section: t.exposeString('section'),
    row: t.exposeString('row'),
    number: t.exposeString('number'),
    accessible: t.exposeBoolean('accessible'),
    category: t.exposeString('category'),
    status: t.field({ type: SeatStatusEnum, resolve: (seat) => seat.status }),
    ticketType: t.field({
      type: TicketTypeRef,
      nullable: true,
      resolve: (seat, _args, ctx) => ctx.loaders.ticketType.load(seat.ticketTypeId),
    }),
  }),
});

/** The event's ticket types whose seats this caller sees: those `Event.ticketTypes` shows them. */
export async function shownTypeIds(ctx: AccessContext, eventId: string, accessCode?: string | null): Promise<string[]> {
  const [event, types] = await Promise.all([ctx.loaders.knownEvent.load(eventId), ctx.loaders.ticketTypesOfEvent.load(eventId)]);
  return types.filter((type) => ticketTypeShown(ctx, type, event, accessCode)).map((type) => type.id);
}

const EventSeatConnectionRef = connectionType('EventSeat', EventSeatRef);

builder.objectFields(EventRef, (t) => ({
  seats: t.field({
    type: EventSeatConnectionRef,
    description:
      'The event’s seats with their status, best-ranked first, a page at a time (of the ticket types `ticketTypes` shows the caller); empty without a seat map.',
    args: {
      section: t.arg.string({ description: 'only this section' }),
      status: t.arg({ type: SeatStatusEnum, description: 'only seats in this status' }),
      accessCode: t.arg.string({ description: 'also the seats of the HIDDEN ticket type it opens' }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (event, args, ctx) => {
      const ticketTypeIds = await shownTypeIds(ctx, event.id, args.accessCode);
      if (ticketTypeIds.length === 0) return emptyConnection<EventSeatView>();
      return seatPage(ctx.sql, { eventId: event.id, ticketTypeIds, section: args.section, status: args.status }, args);
    },
  }),
}));

builder.objectFields(HoldRef, (t) => ({
  seats: t.field({
    type: [EventSeatRef],
    description: 'the seats it holds (or booked), best-ranked first; empty for tickets without seats',
    resolve: (hold, _args, ctx) => ctx.loaders.seatsOfHold.load(hold.id),
  }),
}));

builder.objectFields(TicketRef, (t) => ({
  seat: t.field({
    type: EventSeatRef,
    nullable: true,
    description: 'a seated ticket’s seat (section, row, number); null for admission without a seat',
    // a cancelled ticket's seat went back on sale: it is no longer the ticket's (null)
    resolve: (ticket, _args, ctx) => ctx.loaders.seatOfTicket.load(ticket.id),
  }),
}));
