import {
  afterWhere,
  can,
  decodeCursor,
  emptyConnection,
  encodeCursor,
  pageOf,
  pageSize,
  parseId,
  requireText,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { builder } from '../builder';
import type { Booking } from '../generated/prisma/client';
import { cancelBooking, confirmHold, setBookingPayment } from '../sales/bookings';
import { channelOf, channelWhere, ownSalesWhere } from '../domain/sales-channel';
import { buyerOf, buyerOrNull, isBuyer } from '../sales/buyer';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './event';
import { TicketRef } from './ticket';
import { TicketTypeRef } from './ticket-type';

export const BookingStatusEnum = builder.enumType('BookingStatus', { values: ['CONFIRMED', 'CANCELLED'] as const });
export const PaymentStatusEnum = builder.enumType('PaymentStatus', {
  values: {
    PENDING: { description: 'not paid yet, as far as the organisation has said' },
    PAID: { description: 'the organisation recorded the payment' },
    REFUNDED: { description: 'the organisation recorded the refund' },
  } as const,
});

export const SalesChannelEnum = builder.enumType('SalesChannel', {
  values: {
    DIRECT: { description: 'bought by its buyer themselves (or a platform service)' },
    PARTNER_APP: { description: 'sold by a partner app, for its own customers or acting for the user' },
  } as const,
});

export const BookingRef = builder.objectRef<Booking>('Booking');

/** A booking for its buyer (acting for a user: if the app sold it) and its organisation's sales staff; null for anyone else. */
export async function readableBooking(ctx: AccessContext, id: string): Promise<Booking | null> {
  const booking = await ctx.loaders.booking.load(id);
  if (!booking) return null;
  return isBuyer(ctx.principal, booking) || can(ctx.principal, 'sales.read', booking.organizationId) ? booking : null;
}

BookingRef.implement({
  description:
    'A confirmed hold: one ticket per admission, each with its own code. No payment is processed here: the organisation records it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: BookingStatusEnum, resolve: (b) => b.status }),
    paymentStatus: t.field({ type: PaymentStatusEnum, resolve: (b) => b.paymentStatus }),
    totalMinor: t.exposeInt('totalMinor', { description: 'the order’s total in minor units of currency' }),
    currency: t.exposeString('currency'),
    buyerKind: t.exposeString('buyerKind', { description: 'user, partnerApp or service' }),
    buyerId: t.exposeString('buyerId'),
    salesChannel: t.field({
      type: SalesChannelEnum,
      description: 'how it was sold: directly, or by a partner app (soldThroughAppId)',
      resolve: (b) => channelOf(b),
    }),
    soldThroughAppId: t.exposeID('soldThroughAppId', {
      nullable: true,
      description: 'the partner app that sold it (acting for the user, or for its own customers); null for a direct sale',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    paymentChangedAt: t.expose('paymentChangedAt', { type: 'DateTime', nullable: true }),
    event: t.field({ type: EventRef, nullable: true, resolve: (b) => ({ id: b.eventId }) }),
    tickets: t.field({ type: [TicketRef], resolve: (b, _args, ctx) => ctx.loaders.ticketsOfBooking.load(b.id) }),
  }),
});

// tickets sold here: their code, booking and type (imported tickets have none of them)
builder.objectFields(TicketRef, (t) => ({
  code: t.exposeString('code', {
    nullable: true,
    description: 'a ticket sold here: its unguessable code, shown at the gate or the wristband desk',
  }),
  booking: t.field({
    type: BookingRef,
    nullable: true,
    resolve: (ticket, _args, ctx) => (ticket.bookingId ? readableBooking(ctx, ticket.bookingId) : null),
  }),
  ticketType: t.field({
    type: TicketTypeRef,
    nullable: true,
    resolve: (ticket, _args, ctx) => (ticket.ticketTypeId ? ctx.loaders.ticketType.load(ticket.ticketTypeId) : null),
  }),
}));

const BookingConnectionRef = connectionType('Booking', BookingRef);

/** Newest first, keyed by (createdAt, id). */
async function bookingPage(ctx: AccessContext, where: object, args: { first?: number | null; after?: string | null }) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'time') : null;
  const rows = await ctx.db.booking.findMany({
    where: after ? { AND: [where, afterWhere('createdAt', after, 'desc')] } : where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (b) => encodeCursor(b.createdAt, b.id),
    count: () => ctx.db.booking.count({ where }),
  });
}

builder.queryFields((t) => ({
  booking: t.field({
    type: BookingRef,
    nullable: true,
    description: 'A booking, for its buyer and its organisation’s sales staff (sales.read).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => readableBooking(ctx, parseId('id', args.id)),
  }),
  myBookings: t.field({
    type: BookingConnectionRef,
    description:
      'The caller’s own bookings, newest first (empty for callers that do not buy). A partner app acting for a user: only those it sold.',
    args: { ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const buyer = buyerOrNull(ctx.principal);
      if (!buyer) return emptyConnection<Booking>();
      return bookingPage(ctx, ownSalesWhere(buyer), args);
    },
  }),
  bookings: t.field({
    type: BookingConnectionRef,
    nullable: true,
    description:
      'An event’s bookings, newest first, optionally of one sales channel or partner app; null unless the caller may read its sales (managers and up, org:read keys).',
    args: {
      eventId: t.arg.id({ required: true }),
      status: t.arg({ type: BookingStatusEnum }),
      salesChannel: t.arg({ type: SalesChannelEnum, description: 'DIRECT sales only, or those of partner apps' }),
      soldThroughAppId: t.arg.id({ description: 'the sales of this partner app only' }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const eventId = parseId('eventId', args.eventId);
      const event = await ctx.loaders.knownEvent.load(eventId);
      if (!event || !can(ctx.principal, 'sales.read', event.organizationId)) return null;
      const appId = args.soldThroughAppId == null ? null : parseId('soldThroughAppId', args.soldThroughAppId);
      const channel = channelWhere(args.salesChannel, appId);
      return bookingPage(ctx, { eventId, ...(args.status ? { status: args.status } : {}), ...channel }, args);
    },
  }),
}));

builder.mutationFields((t) => ({
  confirmHold: t.field({
    type: BookingRef,
    description:
      'Turns the caller’s live hold into a booking and issues its tickets. Idempotent by clientKey: the same key for the same hold answers the same booking.',
    args: {
      holdId: t.arg.id({ required: true }),
      clientKey: t.arg.string({ required: true, description: 'the client’s own key for this purchase (1–100 characters)' }),
    },
    resolve: (_root, args, ctx) => {
      buyerOf(ctx.principal);
      return confirmHold(ctx, parseId('holdId', args.holdId), requireText('clientKey', args.clientKey, 100));
    },
  }),
  cancelBooking: t.field({
    type: BookingRef,
    description: 'Cancels a booking (its buyer while it is unpaid, or the organisation); its tickets go back on sale.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => cancelBooking(ctx, parseId('id', args.id)),
  }),
  setBookingPayment: t.field({
    type: BookingRef,
    description: 'The organisation records a payment made elsewhere (PAID) or its refund (REFUNDED).',
    args: { id: t.arg.id({ required: true }), status: t.arg({ type: PaymentStatusEnum, required: true }) },
    resolve: (_root, args, ctx) => setBookingPayment(ctx, parseId('id', args.id), args.status),
  }),
}));
