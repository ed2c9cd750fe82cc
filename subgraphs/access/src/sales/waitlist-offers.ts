import type { Announce, Sql } from '@eventgraph/runtime';
import { chooseOffers, OFFER_ENDS } from '../domain/waitlist';
import { salesProblem } from '../domain/ticket-types';
import { insertHold } from './holds';
import { announceAvailability, type AnnouncingTransact } from './inventory';
import { takeSeatsForHold } from './seats';
import { offerTtlMs } from './waitlist-settings';

/**
 * Returned tickets go to the waitlist first. Every path that gives tickets back — a hold released or expired
 * (by the scheduler, or by a hold that needed them), a booking cancelled, a type grown — calls `settleWaitlist`
 * in its own transaction, after it changed the type's row and so holds that row's lock: the offers are made with
 * the tickets' return, or not at all. While a type has entries WAITING (`TicketType.waiting` > 0) the conditional
 * UPDATE of a new hold refuses it (src/sales/inventory.ts), so nobody jumps the line; the row lock orders every
 * join, offer and hold of the type one after the other, and the CHECK on the row refuses two offers of one ticket.
 */

/** A change of a type's line (an entry joined, offered, ended or left): live subscribers re-read it. */
export const WAITLIST_TOPIC = 'waitlist.changed';
/** An entry was offered tickets (also a webhook topic). */
export const OFFERED_TOPIC = 'waitlist.offered';

const OFFER_END_CASES = Object.entries(OFFER_ENDS)
  .map(([hold, entry]) => `WHEN '${hold}' THEN '${entry}'`)
  .join(' ');

interface LineHead {
  id: string;
  eventId: string;
  organizationId: string;
  name: string;
  free: number;
  waiting: number;
  salesStartAt: Date | null;
  salesEndAt: Date | null;
  eventStatus: string | null;
}

const LINE_BATCH = 200;

interface Waiting {
  id: string;
  line: number;
  quantity: number;
  buyerKind: string;
  buyerId: string;
  soldThroughAppId: string | null;
}

/**
 * Settles the waitlists of `ticketTypeIds` inside the caller's transaction: offers whose hold ended become
 * BOOKED, EXPIRED or LEFT, then each type's free tickets are offered to the entries waiting, front to back, each
 * whose quantity fits (a Hold of its buyer's, lasting ACCESS_WAITLIST_OFFER_TTL_SECONDS). Announces
 * `waitlist.offered` per offer and `waitlist.changed` per type whose line changed. Returns the entries changed.
 */
export async function settleWaitlist(tx: Sql, announce: Announce, ticketTypeIds: readonly string[]): Promise<string[]> {
  const ids = [...new Set(ticketTypeIds)].sort();
  if (ids.length === 0) return [];
  const changed = new Map<string, string[]>(ids.map((id) => [id, []]));
  const ended = await tx.query<{ id: string; ticketTypeId: string }>(
    `UPDATE "WaitlistEntry" w
     SET status = (CASE h.status ${OFFER_END_CASES} END)::"WaitlistStatus",
         "endedAt" = now()
     FROM "Hold" h
     WHERE h.id = w."holdId" AND w.status = 'OFFERED' AND h.status <> 'ACTIVE' AND w."ticketTypeId" = ANY($1::uuid[])
     RETURNING w.id, w."ticketTypeId"`,
    [ids],
  );
  for (const entry of ended) changed.get(entry.ticketTypeId)!.push(entry.id);
  const offeredTypes: string[] = [];
  for (const id of ids) {
    const offered = await offerFreeTickets(tx, announce, id);
    if (offered.length) offeredTypes.push(id);
    changed.get(id)!.push(...offered);
  }
  // the offers took tickets again: live availability hears of it (also when the caller announced before)
  await announceAvailability(tx, announce, offeredTypes);
  for (const [ticketTypeId, entryIds] of changed) if (entryIds.length) await announceLine(tx, announce, ticketTypeId, entryIds);
  return [...changed.values()].flat();
}

/** A confirmed hold that was an offer: its entry is BOOKED (one indexed look-up on the confirmation's path). */
export async function bookOffer(tx: Sql, announce: Announce, holdId: string): Promise<void> {
  const [entry] = await tx.query<{ id: string; ticketTypeId: string }>(
    `UPDATE "WaitlistEntry" SET status = 'BOOKED', "endedAt" = now() WHERE "holdId" = $1::uuid AND status = 'OFFERED'
     RETURNING id, "ticketTypeId"`,
    [holdId],
  );
  if (entry) await announceLine(tx, announce, entry.ticketTypeId, [entry.id]);
}

/** Offers what is free of one type to its line; the type's row is locked first (most callers hold it already). */
async function offerFreeTickets(tx: Sql, announce: Announce, ticketTypeId: string): Promise<string[]> {
  const [head] = await tx.query<LineHead>(
    `SELECT t.id, t."eventId", t."organizationId", t.name, t.quantity - t.sold - t.held AS free, t.waiting,
            t."salesStartAt", t."salesEndAt", k.status AS "eventStatus"
     FROM "TicketType" t LEFT JOIN "KnownEvent" k ON k."eventId" = t."eventId"
     WHERE t.id = $1::uuid FOR UPDATE OF t`,
    [ticketTypeId],
  );
  if (!head || head.waiting === 0 || head.free <= 0) return [];
  // an offer must be confirmable: while the type does not sell, the tickets wait for the line (the scheduler retries)
  if (salesProblem({ ...head, eventStatus: head.eventStatus ?? 'UNKNOWN' }, new Date())) return [];
  const offered: string[] = [];
  let left = head.free;
  const seats = await seatPools(tx, ticketTypeId);
  const pools = seats ?? [left];
  // the line a batch at a time, front to back, until the free tickets are gone or nobody left fits them
  for (let after = -1; left > 0;) {
    const batch = await tx.query<Waiting>(
      `SELECT id, line, quantity, "buyerKind", "buyerId", "soldThroughAppId" FROM "WaitlistEntry"
       WHERE "ticketTypeId" = $1::uuid AND status = 'WAITING' AND quantity <= $2::int AND line > $3::int
       ORDER BY line LIMIT ${LINE_BATCH} FOR UPDATE`,
      [ticketTypeId, Math.min(left, Math.max(...pools)), after],
    );
    for (const { entry, pool } of chooseOffers(left, batch, pools)) {
      await offer(tx, announce, head, entry, seats ? { accessible: pool === ACCESSIBLE_SEATS } : null);
      offered.push(entry.id);
      left -= entry.quantity;
      pools[pool]! -= entry.quantity;
    }
    if (batch.length < LINE_BATCH) break;
    after = batch.at(-1)!.line;
  }
  return offered;
}

const ACCESSIBLE_SEATS = 1;

/**
 * A seated type's free seats as offers take them: its plain ones, then its accessible ones (an entry states no
 * need, and a seat given back should not wait for a buyer who may never come); null for a type without seats.
 */
async function seatPools(tx: Sql, ticketTypeId: string): Promise<number[] | null> {
  const [seats] = await tx.query<{ seated: boolean; plain: number; accessible: number }>(
    `SELECT count(*) > 0 AS seated, count(*) FILTER (WHERE status = 'AVAILABLE' AND NOT accessible)::int AS plain,
            count(*) FILTER (WHERE status = 'AVAILABLE' AND accessible)::int AS accessible
     FROM "EventSeat" WHERE "ticketTypeId" = $1::uuid`,
    [ticketTypeId],
  );
  return seats?.seated ? [seats.plain, seats.accessible] : null;
}

/**
 * One offer: a hold of the entry's buyer, taken from the free tickets of the locked row (and, of a seated type,
 * the best seats of its pool, as best-available takes them for a hold); `waitlist.offered`.
 */
async function offer(tx: Sql, announce: Announce, head: LineHead, entry: Waiting, seats: { accessible: boolean } | null) {
  const ticketTypeId = head.id;
  const hold = await insertHold(tx, {
    eventId: head.eventId,
    organizationId: head.organizationId,
    // the offer is sold through the app that joined the line for the buyer, if one did
    buyer: { kind: entry.buyerKind, id: entry.buyerId, soldThroughAppId: entry.soldThroughAppId },
    lines: [{ ticketTypeId, quantity: entry.quantity }],
    ttlMs: offerTtlMs(),
  });
  // the offer's tickets leave the free ones and its entry the line, in one update of the locked row
  await tx.execute(`UPDATE "TicketType" SET held = held + $2::int, waiting = waiting - 1 WHERE id = $1::uuid`, [
    ticketTypeId,
    entry.quantity,
  ]);
  if (seats)
    await takeSeatsForHold(tx, announce, { id: hold.id, eventId: head.eventId }, [
      { ticketTypeId, quantity: entry.quantity, accessible: seats.accessible },
    ]);
  await tx.execute(
    `UPDATE "WaitlistEntry" SET status = 'OFFERED', "holdId" = $2::uuid, "offeredAt" = now() WHERE id = $1::uuid`,
    [entry.id, hold.id],
  );
  await announce(OFFERED_TOPIC, {
    entryId: entry.id,
    ticketTypeId,
    eventId: head.eventId,
    organizationId: head.organizationId,
    buyerKind: entry.buyerKind,
    buyerId: entry.buyerId,
    soldThroughAppId: entry.soldThroughAppId,
    quantity: entry.quantity,
    holdId: hold.id,
    expiresAt: new Date(hold.expiresAt).toISOString(),
  });
}

/** One event per type whose line changed, naming the entries whose status changed (positions move for the rest). */
export async function announceLine(tx: Sql, announce: Announce, ticketTypeId: string, entryIds: readonly string[]) {
  const [type] = await tx.query<{ eventId: string; organizationId: string; waiting: number }>(
    `SELECT "eventId", "organizationId", waiting FROM "TicketType" WHERE id = $1::uuid`,
    [ticketTypeId],
  );
  if (!type) return;
  await announce(WAITLIST_TOPIC, { ticketTypeId, ...type, entryIds, occurredAt: new Date().toISOString() });
}

/**
 * The scheduler's sweep: types with entries waiting and tickets free (a pause ended, a sale window opened, a return
 * that fitted nobody then) are settled again, each in its own transaction. Returns the entries changed.
 */
export async function settleWaitingTypes(sql: Sql, transact: AnnouncingTransact, limit = 500): Promise<number> {
  const types = await sql.query<{ id: string }>(
    `SELECT id FROM "TicketType" WHERE waiting > 0 AND sold + held < quantity ORDER BY id LIMIT $1::int`,
    [limit],
  );
  let changed = 0;
  for (const { id } of types) changed += (await transact((tx, announce) => settleWaitlist(tx, announce, [id]))).length;
  return changed;
}
