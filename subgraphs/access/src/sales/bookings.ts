import { randomBytes, randomUUID } from 'node:crypto';
import {
  can,
  conflict,
  DomainError,
  isTransactionConflict,
  notFound,
  requirePermission,
  type Announce,
  type SqlTransaction,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { cancellationProblem, confirmationProblem, orderTotal, paymentProblem, type PaymentStatus } from '../domain/holds';
import { isProblem, OWN_TICKET_SOURCE, salesProblem } from '../domain/ticket-types';
import type { Booking } from '../generated/prisma/client';
import { buyerOf, isBuyer } from './buyer';
import { LOCK_HOLD, refuse, type LockedHold } from './holds';
import { announceAvailability, typeIdsOf, giveBackSold, sellHeld } from './inventory';
import { bookSeatsOfHold, freeSeatsOfHolds } from './seats';
import { bookOffer, settleWaitlist } from './waitlist-offers';

const MAX_ATTEMPTS = 4;

/** A ticket's code: 120 random bits, what the gate (or a wristband desk) is shown; unguessable, unique. */
const ticketCode = () => randomBytes(15).toString('base64url');

interface SoldLine {
  ticketTypeId: string;
  quantity: number;
  priceMinor: number;
  currency: string;
  categories: string[];
}

/** Runs a transaction again (a few times) when the database refused it for a concurrent one. */
export async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/**
 * Turns the caller's live hold into a booking: its tickets move from held to sold, one Ticket per admission is
 * issued, and `booking.confirmed` is announced, in one transaction. The hold's row is locked first, so two
 * confirmations of one hold run one after the other: the second finds the booking, and answers it if it
 * carries the same client key (idempotent), or CONFLICT if not.
 */
export async function confirmHold(ctx: AccessContext, holdId: string, clientKey: string): Promise<Booking> {
  const buyer = buyerOf(ctx.principal);
  return retried(() =>
    ctx.transactSql(async (tx, announce) => {
      const [hold] = await tx.query<LockedHold>(LOCK_HOLD, [holdId]);
      if (!hold || !isBuyer(ctx.principal, hold)) throw notFound('Hold', holdId);
      const [earlier] = await tx.query<Booking>(
        `SELECT * FROM "Booking" WHERE "buyerKind" = $1 AND "buyerId" = $2 AND "clientKey" = $3`,
        [buyer.kind, buyer.id, clientKey],
      );
      if (earlier) {
        if (earlier.holdId === holdId) return earlier;
        // the user's key of a sale this caller may not see (direct, or another app's) names no hold
        const other = isBuyer(ctx.principal, earlier) ? ` (${earlier.holdId})` : '';
        throw conflict(`clientKey: this key confirmed another hold${other}; use a new key for each hold`, {
          field: 'clientKey',
        });
      }
      const problem = confirmationProblem(hold, hold.dbNow);
      if (problem) throw refuse(problem);
      const [event] = await tx.query<{ status: string }>(`SELECT status FROM "KnownEvent" WHERE "eventId" = $1::uuid`, [
        hold.eventId,
      ]);
      // pausing the event pauses confirmations too (the sale windows were checked when the hold was placed)
      const closed = salesProblem(
        { eventStatus: event?.status ?? 'UNKNOWN', salesStartAt: null, salesEndAt: null, name: '' },
        new Date(),
      );
      if (closed) throw refuse(closed);
      const lines = await tx.query<SoldLine>(
        `SELECT i."ticketTypeId", i.quantity, t."priceMinor", t.currency, t.categories
         FROM "HoldItem" i JOIN "TicketType" t ON t.id = i."ticketTypeId" WHERE i."holdId" = $1::uuid ORDER BY i."ticketTypeId"`,
        [holdId],
      );
      const total = orderTotal(lines);
      if (isProblem(total)) throw refuse(total);
      await tx.execute(`UPDATE "Hold" SET status = 'CONFIRMED' WHERE id = $1::uuid`, [holdId]);
      await bookOffer(tx, announce, holdId); // a waitlist offer taken up
      const [booking] = await tx.query<Booking>(
        `INSERT INTO "Booking" (id, "organizationId", "eventId", "holdId", "buyerKind", "buyerId", "soldThroughAppId", "clientKey", "totalMinor", currency)
         VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7, $8, $9::int, $10) RETURNING *`,
        [
          randomUUID(),
          hold.organizationId,
          hold.eventId,
          holdId,
          buyer.kind,
          buyer.id,
          // the hold's channel: a hold the app placed (or a waitlist offer it joined for) stays its sale
          hold.soldThroughAppId,
          clientKey,
          total.totalMinor,
          total.currency,
        ],
      );
      const tickets = await issueTickets(tx, booking!, lines);
      // the types' rows last: every confirmation of a type queues on its row lock, held from here to commit
      for (const line of lines) await sellHeld(tx, line.ticketTypeId, line.quantity);
      await bookSeatsOfHold(tx, announce, holdId, booking!.id);
      await announceAvailability(tx, announce, typeIdsOf(lines));
      await announceBooking(announce, 'booking.confirmed', booking!, {
        tickets,
        items: lines.map(({ ticketTypeId, quantity }) => ({ ticketTypeId, quantity })),
      });
      return booking!;
    }),
  );
}

/** One ticket per admission, linked to the buyer's booking, its type and the series the type admits to. */
async function issueTickets(tx: SqlTransaction, booking: Booking, lines: SoldLine[]): Promise<number> {
  const tickets = lines.flatMap((line) =>
    Array.from({ length: line.quantity }, () => ({ line, id: randomUUID(), code: ticketCode() })),
  );
  await tx.execute(
    `INSERT INTO "Ticket" (id, "organizationId", "eventId", source, "externalId", category, "bookingId", "ticketTypeId", code, "updatedAt")
     SELECT id, $1::uuid, $2::uuid, $3, $4::text || '/' || n, category, $9::uuid, type, code, now()
     FROM unnest($5::uuid[], $6::text[], $7::uuid[], $8::text[]) WITH ORDINALITY AS x(id, category, type, code, n)`,
    [
      booking.organizationId,
      booking.eventId,
      OWN_TICKET_SOURCE,
      booking.id,
      tickets.map((t) => t.id),
      // the first category the type grants is the ticket's at the gate (a wristband made for it gets it)
      tickets.map((t) => t.line.categories[0] ?? 'GA'),
      tickets.map((t) => t.line.ticketTypeId),
      tickets.map((t) => t.code),
      booking.id,
    ],
  );
  // a type of one series admits to it; a type of the whole event to each of its series (templates and cancelled aside)
  await tx.execute(
    `INSERT INTO "TicketSeries" ("ticketId", "seriesId")
     SELECT k.id, s.id FROM "Ticket" k
     JOIN "TicketType" tt ON tt.id = k."ticketTypeId"
     JOIN "EventSeries" s ON s.id = tt."seriesId"
       OR (tt."seriesId" IS NULL AND s."eventId" = k."eventId" AND s.recurrence IS NULL AND s.status <> 'CANCELLED')
     WHERE k."bookingId" = $1::uuid`,
    [booking.id],
  );
  return tickets.length;
}

async function announceBooking(announce: Announce, topic: string, booking: Booking, extra: Record<string, unknown> = {}) {
  await announce(topic, {
    bookingId: booking.id,
    eventId: booking.eventId,
    organizationId: booking.organizationId,
    buyerKind: booking.buyerKind,
    buyerId: booking.buyerId,
    soldThroughAppId: booking.soldThroughAppId,
    status: booking.status,
    paymentStatus: booking.paymentStatus,
    totalMinor: booking.totalMinor,
    currency: booking.currency,
    ...extra,
  });
}

/**
 * Who may touch a booking: its buyer (a partner acting for the user: if the app sold it), and its organisation's
 * sales staff; anyone else is told it does not exist.
 */
function authorizeBooking(ctx: AccessContext, booking: Booking | undefined, id: string): Booking {
  if (!booking || !(isBuyer(ctx.principal, booking) || can(ctx.principal, 'organization.read', booking.organizationId)))
    throw notFound('Booking', id);
  if (!isBuyer(ctx.principal, booking)) requirePermission(ctx.principal, 'sales.manage', booking.organizationId);
  return booking;
}

/**
 * Cancels a booking: its tickets are CANCELLED and go back on sale, `booking.cancelled` is announced. The buyer
 * may cancel an unpaid booking; a paid one is the organisation's to cancel (and to refund).
 */
export async function cancelBooking(ctx: AccessContext, id: string): Promise<Booking> {
  return retried(() =>
    ctx.transactSql(async (tx, announce) => {
      const [row] = await tx.query<Booking>(`SELECT * FROM "Booking" WHERE id = $1::uuid FOR UPDATE`, [id]);
      const booking = authorizeBooking(ctx, row, id);
      const problem = cancellationProblem(booking);
      if (problem) throw refuse(problem);
      if (booking.paymentStatus === 'PAID' && !can(ctx.principal, 'sales.manage', booking.organizationId))
        throw new DomainError('FORBIDDEN', 'a paid booking is cancelled by the organisation that sold it', { bookingId: id });
      const items = await tx.query<{ ticketTypeId: string; quantity: number }>(
        `SELECT "ticketTypeId", quantity FROM "HoldItem" WHERE "holdId" = $1::uuid ORDER BY "ticketTypeId"`,
        [booking.holdId],
      );
      for (const item of items) await giveBackSold(tx, item.ticketTypeId, item.quantity);
      await freeSeatsOfHolds(tx, announce, [booking.holdId], 'BOOKED');
      await settleWaitlist(tx, announce, typeIdsOf(items)); // the waitlist gets them first
      const [cancelled] = await tx.query<Booking>(
        `UPDATE "Booking" SET status = 'CANCELLED', "cancelledAt" = now() WHERE id = $1::uuid RETURNING *`,
        [id],
      );
      await tx.execute(`UPDATE "Ticket" SET status = 'CANCELLED', "updatedAt" = now() WHERE "bookingId" = $1::uuid`, [id]);
      await announceBooking(announce, 'booking.cancelled', cancelled!);
      await announceAvailability(tx, announce, typeIdsOf(items));
      return cancelled!;
    }),
  );
}

/** The organisation records a payment made elsewhere (PAID), or its refund (REFUNDED); announced as booking.payment_changed. */
export async function setBookingPayment(ctx: AccessContext, id: string, to: PaymentStatus): Promise<Booking> {
  return retried(() =>
    ctx.transactSql(async (tx, announce) => {
      const [row] = await tx.query<Booking>(`SELECT * FROM "Booking" WHERE id = $1::uuid FOR UPDATE`, [id]);
      if (!row || !can(ctx.principal, 'organization.read', row.organizationId)) throw notFound('Booking', id);
      requirePermission(ctx.principal, 'sales.manage', row.organizationId);
      const problem = paymentProblem(row.paymentStatus as PaymentStatus, to);
      if (problem) throw refuse(problem);
      const [changed] = await tx.query<Booking>(
        `UPDATE "Booking" SET "paymentStatus" = $2::"PaymentStatus", "paymentChangedAt" = now() WHERE id = $1::uuid RETURNING *`,
        [id, to],
      );
      await announceBooking(announce, 'booking.payment_changed', changed!, { from: row.paymentStatus });
      return changed!;
    }),
  );
}
