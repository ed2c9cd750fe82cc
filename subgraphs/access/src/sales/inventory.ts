import type { Announce, Sql, SqlTransaction } from '@eventgraph/runtime';
import { freeSeatsOfHolds } from './seats';
import { settleWaitlist } from './waitlist-offers';

/**
 * A ticket type's inventory is three numbers on its row: quantity, sold and held. Every change is one UPDATE
 * of that row, so concurrent holds queue on its lock and each sees what the one before wrote; a CHECK
 * constraint (sold + held <= quantity) refuses an oversale even if the code here were wrong. Holds past their
 * expiry stay in `held` until released (by the scheduler, or here when a hold finds too few left), and every
 * read of availability counts them as free.
 */

/**
 * Takes `quantity` for a hold if that many are left and nobody waits for them (returned tickets are the
 * waitlist's: src/sales/waitlist-offers.ts); false (nothing changed) otherwise.
 */
export async function takeForHold(sql: Sql, ticketTypeId: string, quantity: number): Promise<boolean> {
  const changed = await sql.execute(
    `UPDATE "TicketType" SET held = held + $2::int
     WHERE id = $1::uuid AND sold + held + $2::int <= quantity AND waiting = 0`,
    [ticketTypeId, quantity],
  );
  return changed === 1;
}

/** A confirmed hold's tickets: held becomes sold. */
export async function sellHeld(sql: Sql, ticketTypeId: string, quantity: number): Promise<void> {
  await sql.execute(`UPDATE "TicketType" SET held = held - $2::int, sold = sold + $2::int WHERE id = $1::uuid`, [
    ticketTypeId,
    quantity,
  ]);
}

/** A released hold's tickets go back on sale. */
export async function giveBackHeld(sql: Sql, ticketTypeId: string, quantity: number): Promise<void> {
  await sql.execute(`UPDATE "TicketType" SET held = held - $2::int WHERE id = $1::uuid`, [ticketTypeId, quantity]);
}

/** A cancelled booking's tickets go back on sale. */
export async function giveBackSold(sql: Sql, ticketTypeId: string, quantity: number): Promise<void> {
  await sql.execute(`UPDATE "TicketType" SET sold = sold - $2::int WHERE id = $1::uuid`, [ticketTypeId, quantity]);
}

/** A transaction whose changes announce events (`ctx.transactSql`, or the scheduler's own). */
export type AnnouncingTransact = <T>(fn: (tx: SqlTransaction, announce: Announce) => Promise<T>) => Promise<T>;

// one statement: the holds change status (locked, skipping those another release or a confirmation holds) and
// their quantities leave `held`; a hold is released once, whoever gets to it first
const release = (which: string) => `
  WITH expired AS (
    UPDATE "Hold" SET status = 'EXPIRED'
    WHERE id IN (SELECT h.id FROM "Hold" h WHERE h.status = 'ACTIVE' AND h."expiresAt" <= now() ${which}
                 ORDER BY h."expiresAt" LIMIT $1 FOR UPDATE SKIP LOCKED)
    RETURNING id),
  given AS (
    SELECT i."ticketTypeId", sum(i.quantity)::int AS quantity FROM "HoldItem" i JOIN expired e ON e.id = i."holdId"
    GROUP BY i."ticketTypeId"),
  returned AS (
    UPDATE "TicketType" t SET held = t.held - g.quantity FROM given g WHERE t.id = g."ticketTypeId" RETURNING t.id)
  SELECT (SELECT count(*) FROM expired)::int AS holds,
         coalesce((SELECT array_agg(id::text) FROM expired), '{}')::text[] AS "holdIds",
         coalesce((SELECT array_agg(id::text) FROM returned), '{}')::text[] AS types`;
const RELEASE_ANY = release('');
const RELEASE_OF_TYPE = release(
  `AND EXISTS (SELECT 1 FROM "HoldItem" i WHERE i."holdId" = h.id AND i."ticketTypeId" = $2::uuid)`,
);

/**
 * Releases up to `limit` expired holds (of one ticket type, if named); returns how many. The types they gave
 * back announce their availability in the same transaction.
 */
export async function releaseExpiredHolds(transact: AnnouncingTransact, limit: number, ticketTypeId?: string): Promise<number> {
  return transact(async (tx, announce) => {
    type Released = { holds: number; holdIds: string[]; types: string[] };
    const [row] = ticketTypeId
      ? await tx.query<Released>(RELEASE_OF_TYPE, [limit, ticketTypeId])
      : await tx.query<Released>(RELEASE_ANY, [limit]);
    await freeSeatsOfHolds(tx, announce, row?.holdIds ?? []);
    // the tickets go to the waitlist first (an expired offer passes to the next in line)
    await settleWaitlist(tx, announce, row?.types ?? []);
    await announceAvailability(tx, announce, row?.types ?? []);
    return row?.holds ?? 0;
  });
}

/** Releases every expired hold, a batch at a time (the scheduler's step). */
export async function releaseAllExpiredHolds(transact: AnnouncingTransact, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const released = await releaseExpiredHolds(transact, batch);
    total += released;
    if (released < batch) return total;
  }
}

/** A type's inventory now, as announced and as the live subscription shows it. */
export interface Inventory {
  ticketTypeId: string;
  eventId: string;
  organizationId: string;
  visibility: string;
  quantity: number;
  sold: number;
  held: number;
  /** waitlist entries waiting: while any wait, nothing is available to a new hold */
  waiting: number;
  available: number;
}

/**
 * What is left of each type now: quantity − sold − held, plus what expired holds not yet released still hold.
 * Expired holds are few (the scheduler releases them), so they are found by the (status, expiresAt) index.
 */
export async function inventoryOf(sql: Sql, ticketTypeIds: readonly string[]): Promise<Inventory[]> {
  if (ticketTypeIds.length === 0) return [];
  return sql.query<Inventory>(
    `SELECT t.id AS "ticketTypeId", t."eventId", t."organizationId", t.visibility::text AS visibility, t.quantity, t.sold, t.held,
            t.waiting, (CASE WHEN t.waiting > 0 THEN 0
                             ELSE greatest(0, t.quantity - t.sold - t.held + coalesce(x.quantity, 0)) END)::int AS available
     FROM "TicketType" t
     LEFT JOIN (SELECT i."ticketTypeId", sum(i.quantity) AS quantity
                FROM "Hold" h JOIN "HoldItem" i ON i."holdId" = h.id
                WHERE h.status = 'ACTIVE' AND h."expiresAt" <= now() AND i."ticketTypeId" = ANY($1::uuid[])
                GROUP BY i."ticketTypeId") x ON x."ticketTypeId" = t.id
     WHERE t.id = ANY($1::uuid[]) ORDER BY t.id`,
    [ticketTypeIds],
  );
}

export async function availability(sql: Sql, ticketTypeIds: readonly string[]): Promise<Map<string, number>> {
  return new Map((await inventoryOf(sql, ticketTypeIds)).map((r) => [r.ticketTypeId, r.available]));
}

/**
 * A ticket type's availability changed (a hold placed, released or expired, a booking confirmed or cancelled,
 * the type created or changed): one event per type, written with the change, so a live subscriber sees every
 * change that committed and nothing that did not.
 */
export const AVAILABILITY_TOPIC = 'ticket_type.availability_changed';

export const typeIdsOf = (lines: ReadonlyArray<{ ticketTypeId: string }>) => lines.map((l) => l.ticketTypeId);

/** Announces each type's inventory as the transaction `tx` leaves it (read after its change, under its lock). */
export async function announceAvailability(tx: Sql, announce: Announce, ticketTypeIds: readonly string[]): Promise<void> {
  const occurredAt = new Date().toISOString();
  // visibility rides along so a public subscriber's stream drops hidden types without a read
  for (const inventory of await inventoryOf(tx, [...new Set(ticketTypeIds)]))
    await announce(AVAILABILITY_TOPIC, { ...inventory, occurredAt });
}
