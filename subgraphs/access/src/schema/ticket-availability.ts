import { can, clearLoaders, liveEvents, notFound, parseId, type BusEvent } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { AccessContext, AccessDb } from '../context';
import type { KnownEvent, TicketType } from '../generated/prisma/client';
import { eventForBuyer, ticketTypeShown } from '../sales/holds';
import { availability, AVAILABILITY_TOPIC } from '../sales/inventory';
import { TicketTypeRef, type ShownTicketType } from './ticket-type';

interface Reading {
  type: ShownTicketType;
  event: KnownEvent | null;
}

// per process, each type's newest reading: a sell-out storm is read once per change, not once per subscriber
const latest = new WeakMap<AccessDb, Map<string, { busEventId: string; reading: Promise<Reading | null> }>>();

/**
 * The type as it is when the event is delivered, not as the event says: should events of one type reach this
 * process out of order, the last one delivered still shows what is left now.
 */
function readingAfter(ctx: AccessContext, ticketTypeId: string, busEventId: string): Promise<Reading | null> {
  let readings = latest.get(ctx.db);
  if (!readings) latest.set(ctx.db, (readings = new Map()));
  const known = readings.get(ticketTypeId);
  if (known?.busEventId === busEventId) return known.reading;
  const reading = (async () => {
    const type = await ctx.db.ticketType.findUnique({ where: { id: ticketTypeId } });
    if (!type) return null;
    const [left, event] = await Promise.all([
      availability(ctx.sql, [ticketTypeId]),
      ctx.db.knownEvent.findUnique({ where: { eventId: type.eventId } }),
    ]);
    return { type: { ...type, available: left.get(ticketTypeId) ?? 0 }, event };
  })();
  readings.set(ticketTypeId, { busEventId, reading });
  return reading;
}

/**
 * Passes on only the events `keep` accepts, deciding with a read (a hidden type's code is checked against the
 * row, never carried on the bus). Written by hand, not as an async generator, so that ending the subscription
 * ends the bus stream at once even while it waits for the next event.
 */
export function keptOnly(
  source: AsyncIterableIterator<BusEvent>,
  keep: (e: BusEvent) => Promise<boolean>,
): AsyncIterableIterator<BusEvent> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || (await keep(result.value))) return result;
      }
    },
    return: () => source.return!(),
    throw: (err: unknown) => source.throw!(err),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * The live events of `topic` about one event's ticket types, each passed on only if the caller is shown its
 * type (as `Event.ticketTypes` shows them) by the reading `read` makes of it. NOT_FOUND for an event the caller
 * may not see.
 */
export async function shownTypeEvents(
  ctx: AccessContext,
  args: { eventId: string; accessCode?: string | null },
  topic: string,
  read: (e: BusEvent) => Promise<{ type: TicketType; event: KnownEvent | null } | null>,
): Promise<AsyncIterableIterator<BusEvent>> {
  const eventId = parseId('eventId', args.eventId);
  await eventForBuyer(ctx, eventId);
  const { accessCode } = args;
  const staff = (e: BusEvent) => can(ctx.principal, 'organization.read', e.payload.organizationId as string);
  const events = liveEvents(
    ctx.bus,
    topic,
    // cheap first cut without a read: hidden types only reach staff and callers who gave a code
    (e) => e.payload.eventId === eventId && (staff(e) || e.payload.visibility === 'PUBLIC' || !!accessCode),
  );
  return keptOnly(events, async (e) => {
    const reading = await read(e);
    return !!reading && ticketTypeShown(ctx, reading.type, reading.event, accessCode);
  });
}

builder.subscriptionFields((t) => ({
  ticketAvailabilityChanged: t.field({
    type: TicketTypeRef,
    description:
      'A ticket type of the event each time what is left of it changes (holds placed, released or expired, bookings confirmed or cancelled, the type created or changed). Shows the types `Event.ticketTypes` shows the caller: the PUBLIC ones (and HIDDEN ones whose accessCode is given) to anyone who may see the event, all of them to its organisation.',
    args: { eventId: t.arg.id({ required: true }), accessCode: t.arg.string() },
    subscribe: (_root, args, ctx) =>
      shownTypeEvents(ctx, args, AVAILABILITY_TOPIC, (e) => readingAfter(ctx, e.payload.ticketTypeId as string, e.id)),
    resolve: async (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      const id = busEvent.payload.ticketTypeId as string;
      const reading = await readingAfter(ctx, id, busEvent.id);
      if (!reading) throw notFound('TicketType', id);
      return reading.type;
    },
  }),
}));
