import DataLoader from 'dataloader';
import { loaderById, loaderByParent, type Sql } from '@eventgraph/runtime';
import type { AccessDb } from '../context';
import type { Booking, HoldItem, KnownEvent, Ticket, TicketType } from '../generated/prisma/client';
import { availability } from './inventory';
import { waitlistLoaders } from './waitlist-loaders';

/** Per-request loaders of ticket sales (spread into the context's loaders). */
export function salesLoaders(db: AccessDb, sql: Sql) {
  return {
    ticketType: loaderById<TicketType>((ids) => db.ticketType.findMany({ where: { id: { in: [...ids] } } })),
    ticketTypesOfEvent: loaderByParent<TicketType>(
      (ids) => db.ticketType.findMany({ where: { eventId: { in: [...ids] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (t) => t.eventId,
    ),
    knownEvent: new DataLoader<string, KnownEvent | null>(async (ids) => {
      const rows = await db.knownEvent.findMany({ where: { eventId: { in: [...ids] } } });
      return ids.map((id) => rows.find((r) => r.eventId === id) ?? null);
    }),
    /** tickets left per type now, expired holds counted as free (see inventory.ts) */
    available: new DataLoader<string, number>(async (ids) => {
      const left = await availability(sql, ids);
      return ids.map((id) => left.get(id) ?? 0);
    }),
    booking: loaderById<Booking>((ids) => db.booking.findMany({ where: { id: { in: [...ids] } } })),
    itemsOfHold: loaderByParent<HoldItem>(
      (ids) => db.holdItem.findMany({ where: { holdId: { in: [...ids] } }, orderBy: { ticketTypeId: 'asc' } }),
      (i) => i.holdId,
    ),
    ticketsOfBooking: loaderByParent<Ticket>(
      (ids) => db.ticket.findMany({ where: { bookingId: { in: [...ids] } }, orderBy: { externalId: 'asc' } }),
      (t) => t.bookingId!,
    ),
    ...waitlistLoaders(db, sql),
  };
}
