import { randomUUID } from 'node:crypto';
import { can, DomainError, isTransactionConflict, notFound, parseId, type Sql } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { problemError } from '../problem-error';
import { checkHoldLines, holdIsLive, orderLimitProblem, orderTotal } from '../domain/holds';
import type { SeatLineInput } from '../domain/seats';
import { isProblem, offeredTo, salesProblem } from '../domain/ticket-types';
import type { Hold, KnownEvent, TicketType } from '../generated/prisma/client';
import { buyerOf, isBuyer, mayBuyFrom } from './buyer';
import { announceAvailability, typeIdsOf, availability, giveBackHeld, releaseExpiredHolds, takeForHold } from './inventory';
import { checkSeatLines, freeSeatsOfHolds, holdLines, SeatsOfExpiredHolds, takeSeatsForHold } from './seats';
import { holdTtlMs } from './settings';
import { settleWaitlist } from './waitlist-offers';

/** A domain problem as the error the caller sees. */
export const refuse = problemError;

/** Event statuses in which an organisation's event (and its public ticket types) is visible to anyone. */
const PUBLIC_EVENT_STATUSES = new Set(['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED']);

const unknownEvent = (eventId: string) => new DomainError('NOT_FOUND', `event ${eventId} was not found`, { field: 'eventId' });

/**
 * The event a buyer asks about: an unpublished event, or one a partner app may not sell, is NOT_FOUND exactly
 * like a missing one, unless the caller may read its organisation.
 */
export async function eventForBuyer(ctx: AccessContext, eventId: string): Promise<KnownEvent> {
  const event = await ctx.db.knownEvent.findUnique({ where: { eventId } });
  if (!event) throw unknownEvent(eventId);
  if (can(ctx.principal, 'organization.read', event.organizationId)) return event;
  if (!PUBLIC_EVENT_STATUSES.has(event.status) || !mayBuyFrom(ctx.principal, event.organizationId)) throw unknownEvent(eventId);
  return event;
}

/**
 * Is the type shown to this caller? Its organisation's readers see every type; others the offered ones of a
 * visible event, partner apps only of the organisations they may sell for.
 */
export function ticketTypeShown(ctx: AccessContext, type: TicketType, event: KnownEvent | null, accessCode?: string | null) {
  if (can(ctx.principal, 'organization.read', type.organizationId)) return true;
  return (
    !!event &&
    PUBLIC_EVENT_STATUSES.has(event.status) &&
    mayBuyFrom(ctx.principal, type.organizationId) &&
    offeredTo(type, accessCode)
  );
}

export interface HoldInput {
  eventId: string;
  /** a quantity of each type, or (of a type with seats) the very seats */
  items: SeatLineInput[];
  accessCode?: string | null;
}

class SoldOut extends Error {
  constructor(
    readonly type: TicketType,
    readonly quantity: number,
  ) {
    super('sold out');
  }
}

const MAX_ATTEMPTS = 4;

/**
 * Places a hold: checks what can be checked before any lock (the lines, the types, sales windows, limits),
 * then takes each type's quantity with one conditional UPDATE per type, in the types' id order so two holds
 * over the same types never wait for each other crosswise. Too few left: expired holds of that type are
 * released and the hold tried once more, else SOLD_OUT and nothing is taken.
 */
export async function placeHold(ctx: AccessContext, input: HoldInput): Promise<Hold> {
  const buyer = buyerOf(ctx.principal);
  const eventId = parseId('eventId', input.eventId);
  const lines = holdLines(input.items);
  const linesProblem = checkHoldLines(lines);
  if (linesProblem) throw refuse(linesProblem);
  const event = await eventForBuyer(ctx, eventId);
  const types = await ctx.db.ticketType.findMany({ where: { id: { in: lines.map((l) => l.ticketTypeId) } } });
  const now = new Date();
  const staff = can(ctx.principal, 'sales.manage', event.organizationId);
  const chosen = lines.map((line, i) => {
    const type = types.find((t) => t.id === line.ticketTypeId);
    // a hidden type without its code is refused like one that does not exist (its existence is the secret)
    if (!type || type.eventId !== eventId || !(staff || offeredTo(type, input.accessCode)))
      throw new DomainError('NOT_FOUND', `ticket type ${line.ticketTypeId} was not found`, { field: `items[${i}].ticketTypeId` });
    const problem = salesProblem({ ...type, eventStatus: event.status }, now) ?? orderLimitProblem(type, line.quantity, i);
    if (problem) throw refuse({ ...problem, details: { ...problem.details, ticketTypeId: type.id } });
    return { ...line, type };
  });
  await checkSeatLines(ctx.sql, eventId, lines);
  const total = orderTotal(chosen.map((c) => ({ ...c.type, quantity: c.quantity })));
  if (isProblem(total)) throw refuse(total);
  chosen.sort((a, b) => (a.ticketTypeId < b.ticketTypeId ? -1 : 1));

  let reclaimed = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transactSql(async (tx, announce) => {
        for (const { type, quantity } of chosen)
          if (!(await takeForHold(tx, type.id, quantity))) throw new SoldOut(type, quantity);
        const placed = await insertHold(tx, {
          eventId,
          organizationId: event.organizationId,
          buyer,
          lines: chosen,
          ttlMs: holdTtlMs(),
        });
        await takeSeatsForHold(tx, announce, placed, chosen);
        await announceAvailability(tx, announce, typeIdsOf(chosen));
        return placed;
      });
    } catch (err) {
      if (err instanceof SoldOut) {
        // expired holds may still sit in `held`: give them back (their own transaction) and try once more; also
        // when the scheduler got to them first (its release may not have committed: the next take waits for it)
        const leftNow = async () => (await availability(ctx.sql, [err.type.id])).get(err.type.id) ?? 0;
        let left: number | undefined;
        if (!reclaimed) {
          reclaimed = true;
          if ((await releaseExpiredHolds(ctx.transactSql, 1000, err.type.id)) > 0) continue;
          if ((left = await leftNow()) >= err.quantity) continue;
        }
        left ??= await leftNow();
        throw new DomainError(
          'SOLD_OUT',
          `only ${Math.max(0, left)} tickets of ${err.type.name} are left to hold; joinWaitlist offers returned tickets in turn`,
          { ticketTypeId: err.type.id, available: Math.max(0, left) },
        );
      }
      if (err instanceof SeatsOfExpiredHolds) {
        // named seats still in expired holds: released (their own transaction) and tried once more
        if (reclaimed) throw err.refusal;
        reclaimed = true;
        await releaseExpiredHolds(ctx.transactSql, 1000, err.ticketTypeId);
        continue;
      }
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

export async function insertHold(
  tx: Sql,
  hold: {
    eventId: string;
    organizationId: string;
    buyer: { kind: string; id: string; soldThroughAppId: string | null };
    lines: Array<{ ticketTypeId: string; quantity: number }>;
    ttlMs: number;
  },
): Promise<Hold> {
  const [row] = await tx.query<Hold>(
    `INSERT INTO "Hold" (id, "organizationId", "eventId", "buyerKind", "buyerId", "soldThroughAppId", "expiresAt")
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6, now() + $7::int * interval '1 millisecond') RETURNING *`,
    [randomUUID(), hold.organizationId, hold.eventId, hold.buyer.kind, hold.buyer.id, hold.buyer.soldThroughAppId, hold.ttlMs],
  );
  await tx.execute(
    `INSERT INTO "HoldItem" ("holdId", "ticketTypeId", quantity)
     SELECT $1::uuid, t, q FROM unnest($2::uuid[], $3::int[]) AS x(t, q)`,
    [row!.id, hold.lines.map((l) => l.ticketTypeId), hold.lines.map((l) => l.quantity)],
  );
  return row!;
}

/** A hold's row, locked, with the database's clock: expiry is judged by the clock that set expiresAt. */
export const LOCK_HOLD = `SELECT h.*, now() AS "dbNow" FROM "Hold" h WHERE h.id = $1::uuid FOR UPDATE`;
export type LockedHold = Hold & { dbNow: Date };

/** The caller's own hold (acting for a user: one its app sold); anyone else's is NOT_FOUND like a missing one. */
export async function ownHold(ctx: AccessContext, id: string): Promise<Hold | null> {
  const hold = await ctx.db.hold.findUnique({ where: { id } });
  return hold && isBuyer(ctx.principal, hold) ? hold : null;
}

/** The buyer gives a live hold back before it expires; its tickets are on sale again at once. */
export async function releaseHold(ctx: AccessContext, holdId: string): Promise<Hold> {
  buyerOf(ctx.principal);
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transactSql(async (tx, announce) => {
        const [hold] = await tx.query<LockedHold>(LOCK_HOLD, [holdId]);
        if (!hold || !isBuyer(ctx.principal, hold)) throw notFound('Hold', holdId);
        if (!holdIsLive(hold, hold.dbNow))
          throw new DomainError(
            'HOLD_EXPIRED',
            `hold ${holdId} is ${hold.status === 'ACTIVE' ? 'expired' : hold.status.toLowerCase()}: nothing to release`,
            { holdId },
          );
        const items = await tx.query<{ ticketTypeId: string; quantity: number }>(
          `SELECT "ticketTypeId", quantity FROM "HoldItem" WHERE "holdId" = $1::uuid ORDER BY "ticketTypeId"`,
          [holdId],
        );
        for (const item of items) await giveBackHeld(tx, item.ticketTypeId, item.quantity);
        await freeSeatsOfHolds(tx, announce, [holdId]);
        await announceAvailability(tx, announce, typeIdsOf(items));
        const [released] = await tx.query<Hold>(`UPDATE "Hold" SET status = 'RELEASED' WHERE id = $1::uuid RETURNING *`, [
          holdId,
        ]);
        // the tickets go to the waitlist first (a declined offer passes to the next in line)
        await settleWaitlist(tx, announce, typeIdsOf(items));
        return released!;
      });
    } catch (err) {
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}
