import type { Problem } from './series-rules';
import { MAX_TICKETS_PER_ORDER } from './ticket-types';

/**
 * The waitlist of a sold-out ticket type: who may join, who is offered returned tickets, and what an offer's end
 * makes of an entry. Pure: the line itself is kept and locked by the database (src/sales/waitlist*.ts).
 */
export const WAITLIST_STATUSES = ['WAITING', 'OFFERED', 'BOOKED', 'EXPIRED', 'LEFT'] as const;
export type WaitlistStatus = (typeof WAITLIST_STATUSES)[number];

/** Entries still in line: they count ahead of those behind them, and a buyer has at most one per type. */
export const LIVE_STATUSES: readonly WaitlistStatus[] = ['WAITING', 'OFFERED'];
export const isLive = (status: string) => (LIVE_STATUSES as readonly string[]).includes(status);

/** How many tickets one entry may wait for: a whole number within the type's per-order limit. */
export function waitlistQuantityProblem(type: { name: string; maxPerOrder: number }, quantity: number): Problem | null {
  if (!Number.isInteger(quantity) || quantity < 1)
    return { code: 'BAD_USER_INPUT', field: 'quantity', message: 'quantity: must be a whole number of tickets, at least 1' };
  const limit = Math.min(type.maxPerOrder, MAX_TICKETS_PER_ORDER);
  if (quantity > limit)
    return {
      code: 'ORDER_LIMIT',
      field: 'quantity',
      message: `quantity: at most ${limit} tickets of ${type.name} in one order`,
      details: { limit },
    };
  return null;
}

/**
 * A buyer may join only when a hold would be refused: fewer are free than they ask for, or others wait already
 * (the free ones are theirs). Otherwise NOT_SOLD_OUT: hold them instead.
 */
export function joinProblem(type: { id: string; name: string }, line: { free: number; waiting: number }, quantity: number) {
  if (line.waiting > 0 || line.free < quantity) return null;
  const problem: Problem = {
    code: 'NOT_SOLD_OUT',
    message: `${line.free} tickets of ${type.name} are left: hold them instead of joining the waitlist`,
    details: { ticketTypeId: type.id, available: line.free },
  };
  return problem;
}

/** The caller's live entry for the type already: the same quantity is the same entry (joining is idempotent). */
export function rejoinProblem(entry: { id: string; quantity: number; status: string }, quantity: number): Problem | null {
  if (entry.quantity === quantity) return null;
  return {
    code: 'ALREADY_WAITING',
    field: 'quantity',
    message: `you are on this waitlist already for ${entry.quantity} tickets (${entry.status}): leave it to join for another number, at the back of the line`,
    details: { entryId: entry.id, quantity: entry.quantity },
  };
}

/**
 * The buyer has a live entry already that the caller may not see: a partner acting for a user who waits
 * directly or through another app. One place per buyer still holds; the entry itself is not shown.
 */
export const waitingElsewhereProblem = (): Problem => ({
  code: 'ALREADY_WAITING',
  field: 'ticketTypeId',
  message: 'this buyer is on this waitlist already, through another channel: one place in line per buyer',
});

/**
 * Which waiting entries (in line order) get an offer of `free` returned tickets: each, front to back, whose
 * quantity still fits what is left; an entry asking for more is passed over, keeping its place for later returns.
 * A seated type's free tickets are seats in `pools` (its plain seats, then its accessible ones): an offer takes
 * its seats from the first pool that holds them all.
 */
export function chooseOffers<E extends { quantity: number }>(
  free: number,
  line: readonly E[],
  pools: readonly number[] = [free],
): Array<{ entry: E; pool: number }> {
  const chosen: Array<{ entry: E; pool: number }> = [];
  let left = free;
  const inPools = [...pools];
  for (const entry of line) {
    if (left <= 0) break;
    const pool = inPools.findIndex((n) => entry.quantity <= n);
    if (entry.quantity <= left && pool >= 0) {
      chosen.push({ entry, pool });
      left -= entry.quantity;
      inPools[pool]! -= entry.quantity;
    }
  }
  return chosen;
}

/** An offer ends with its hold: confirmed is BOOKED, run out is EXPIRED, given back (declined) is LEFT. */
export const OFFER_ENDS = { CONFIRMED: 'BOOKED', EXPIRED: 'EXPIRED', RELEASED: 'LEFT' } as const satisfies Record<
  string,
  WaitlistStatus
>;

export const statusAfterOffer = (holdStatus: string): WaitlistStatus | null =>
  OFFER_ENDS[holdStatus as keyof typeof OFFER_ENDS] ?? null;

/** As the buyer sees it: an offer past its hold's expiry is EXPIRED before the scheduler says so. */
export function shownStatus(entry: { status: string }, offerExpiresAt: Date | null, now: Date): WaitlistStatus {
  if (entry.status === 'OFFERED' && offerExpiresAt && offerExpiresAt <= now) return 'EXPIRED';
  return entry.status as WaitlistStatus;
}
