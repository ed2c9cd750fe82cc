import { randomUUID } from 'node:crypto';
import { DomainError, parseId, type Sql } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { salesProblem } from '../domain/ticket-types';
import { ownsSale } from '../domain/sales-channel';
import { joinProblem, LIVE_STATUSES, rejoinProblem, waitingElsewhereProblem, waitlistQuantityProblem } from '../domain/waitlist';
import type { WaitlistEntry } from '../generated/prisma/client';
import { retried } from './bookings';
import { buyerOf, type Buyer } from './buyer';
import { LOCK_HOLD, refuse, ticketTypeShown, type LockedHold } from './holds';
import { announceAvailability, giveBackHeld, releaseExpiredHolds } from './inventory';
import { announceLine, settleWaitlist } from './waitlist-offers';

/**
 * Joining and leaving a ticket type's waitlist. Both lock the type's row first, as holds and returns do, so the
 * line, the free tickets and the offers are decided one change at a time; the offers themselves are made by
 * `settleWaitlist` (src/sales/waitlist-offers.ts).
 */
export interface JoinInput {
  ticketTypeId: string;
  quantity: number;
  accessCode?: string | null;
}

const LIVE = `status IN (${LIVE_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const LIVE_ENTRY = `SELECT * FROM "WaitlistEntry" WHERE "ticketTypeId" = $1::uuid AND "buyerKind" = $2 AND "buyerId" = $3 AND ${LIVE}`;

const notFoundType = (id: string) => new DomainError('NOT_FOUND', `ticket type ${id} was not found`, { field: 'ticketTypeId' });

/**
 * Joins the waitlist of a sold-out type (or one others wait for already) for `quantity` tickets. Joining again
 * with the same quantity answers the same entry; with another, ALREADY_WAITING (also to a partner acting for a
 * user who waits through another channel: one place per buyer, not shown to the app). Tickets free that fit the new
 * entry's turn are offered at once.
 */
export async function joinWaitlist(ctx: AccessContext, input: JoinInput): Promise<WaitlistEntry> {
  const buyer = buyerOf(ctx.principal);
  const id = parseId('ticketTypeId', input.ticketTypeId);
  const type = await ctx.db.ticketType.findUnique({ where: { id } });
  const event = type && (await ctx.db.knownEvent.findUnique({ where: { eventId: type.eventId } }));
  // a hidden type without its code is unknown, as to a hold
  if (!type || !ticketTypeShown(ctx, type, event, input.accessCode)) throw notFoundType(id);
  const problem =
    waitlistQuantityProblem(type, input.quantity) ??
    salesProblem({ ...type, eventStatus: event?.status ?? 'UNKNOWN' }, new Date());
  if (problem) throw refuse({ ...problem, details: { ...problem.details, ticketTypeId: id } });
  // tickets of expired holds are free (and go to the line first): counted as such before the type is judged
  await releaseExpiredHolds(ctx.transactSql, 1000, id);
  return retried(() =>
    ctx.transactSql(async (tx, announce) => {
      const [line] = await tx.query<{ free: number; waiting: number }>(
        `SELECT quantity - sold - held AS free, waiting FROM "TicketType" WHERE id = $1::uuid FOR UPDATE`,
        [id],
      );
      const [existing] = await tx.query<WaitlistEntry>(LIVE_ENTRY, [id, buyer.kind, buyer.id]);
      if (existing) {
        if (!ownsSale(buyer, existing)) throw refuse(waitingElsewhereProblem());
        const again = rejoinProblem(existing, input.quantity);
        if (again) throw refuse(again);
        return existing;
      }
      const soldOut = joinProblem(type, line!, input.quantity);
      if (soldOut) throw refuse(soldOut);
      const [entry] = await tx.query<WaitlistEntry>(
        `INSERT INTO "WaitlistEntry" (id, "organizationId", "eventId", "ticketTypeId", "buyerKind", "buyerId", "soldThroughAppId", quantity)
         VALUES ($7::uuid, $1::uuid, $2::uuid, $3::uuid, $4, $5, $8, $6::int) RETURNING *`,
        [type.organizationId, type.eventId, id, buyer.kind, buyer.id, input.quantity, randomUUID(), buyer.soldThroughAppId],
      );
      await tx.execute(`UPDATE "TicketType" SET waiting = waiting + 1 WHERE id = $1::uuid`, [id]);
      const changed = await settleWaitlist(tx, announce, [id]);
      if (!changed.includes(entry!.id)) await announceLine(tx, announce, id, [entry!.id]);
      // with a line, nothing is left for new holds: live availability says so
      if (line!.waiting === 0) await announceAvailability(tx, announce, [id]);
      return (await entryById(tx, entry!.id))!;
    }),
  );
}

const notWaiting = (id: string) =>
  new DomainError('NOT_FOUND', `you have no place on the waitlist of ticket type ${id}`, { field: 'ticketTypeId' });

/**
 * Leaves the line: a WAITING entry goes, an OFFERED one gives its offer back (its hold is released and the
 * tickets pass to the next in line). NOT_FOUND without a live entry of the caller's for the type (acting for a
 * user: one the app joined).
 */
export async function leaveWaitlist(ctx: AccessContext, ticketTypeIdGiven: string): Promise<WaitlistEntry> {
  const buyer = buyerOf(ctx.principal);
  const id = parseId('ticketTypeId', ticketTypeIdGiven);
  return retried(() =>
    ctx.transactSql(async (tx, announce) => {
      const [seen] = await tx.query<WaitlistEntry>(LIVE_ENTRY, [id, buyer.kind, buyer.id]);
      // acting for a user, only a place the app took for them (one through another channel is not the caller's)
      if (!seen || !ownsSale(buyer, seen)) throw notWaiting(id);
      // the offer's hold first, then the type, then the entry: the order its confirmation and release lock them in
      const [hold] = seen.holdId ? await tx.query<LockedHold>(LOCK_HOLD, [seen.holdId]) : [];
      await tx.query(`SELECT 1 FROM "TicketType" WHERE id = $1::uuid FOR UPDATE`, [id]);
      const [entry] = await tx.query<WaitlistEntry>(`${LIVE_ENTRY} FOR UPDATE`, [id, buyer.kind, buyer.id]);
      // an offer made since it was read: its hold was not locked first, so the caller tries again
      if (!entry || entry.id !== seen.id || entry.holdId !== seen.holdId)
        throw new DomainError('CONFLICT', 'your entry changed meanwhile (an offer came): leave again');
      if (entry.status === 'WAITING') {
        await tx.execute(`UPDATE "TicketType" SET waiting = waiting - 1 WHERE id = $1::uuid`, [id]);
      } else if (hold?.status === 'ACTIVE') {
        // an offer given back: its tickets (still held, expired or not) return to the line
        await giveBackHeld(tx, id, entry.quantity);
        await tx.execute(`UPDATE "Hold" SET status = 'RELEASED' WHERE id = $1::uuid`, [hold.id]);
      }
      await tx.execute(`UPDATE "WaitlistEntry" SET status = 'LEFT', "endedAt" = now() WHERE id = $1::uuid`, [entry.id]);
      const changed = await settleWaitlist(tx, announce, [id]);
      if (!changed.includes(entry.id)) await announceLine(tx, announce, id, [entry.id]);
      await announceAvailability(tx, announce, [id]);
      return (await entryById(tx, entry.id))!;
    }),
  );
}

export async function entryById(sql: Sql, id: string): Promise<WaitlistEntry | undefined> {
  const [entry] = await sql.query<WaitlistEntry>(`SELECT * FROM "WaitlistEntry" WHERE id = $1::uuid`, [id]);
  return entry;
}

/** An entry's buyer, as `buyerOf` names callers. */
export const buyerKey = (row: { buyerKind: string; buyerId: string } | Buyer) =>
  'kind' in row ? `${row.kind}:${row.id}` : `${row.buyerKind}:${row.buyerId}`;
