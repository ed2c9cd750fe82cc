import { checkTransition, type Transitions } from '@eventgraph/runtime';
import type { Problem } from './series-rules';
import { MAX_TICKETS_PER_ORDER } from './ticket-types';

/**
 * Holds and bookings: what a hold may ask for, when it may be confirmed, and how a booking's payment status
 * moves. Pure: availability itself is decided by the database (src/sales/inventory.ts).
 */
export interface HoldLine {
  ticketTypeId: string;
  quantity: number;
}

/** Different ticket types in one hold. */
export const MAX_HOLD_LINES = 10;

const badInput = (field: string, message: string): Problem => ({
  code: 'BAD_USER_INPUT',
  field,
  message: `${field}: ${message}`,
});

/** The lines of a hold, checked before anything is read: whole positive quantities, each type once. */
export function checkHoldLines(lines: readonly HoldLine[]): Problem | null {
  if (lines.length === 0) return badInput('items', 'hold at least one ticket');
  if (lines.length > MAX_HOLD_LINES) return badInput('items', `at most ${MAX_HOLD_LINES} ticket types in one hold`);
  const seen = new Set<string>();
  let total = 0;
  for (const [i, line] of lines.entries()) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1)
      return badInput(`items[${i}].quantity`, 'must be a whole number of tickets, at least 1');
    if (seen.has(line.ticketTypeId)) return badInput(`items[${i}].ticketTypeId`, 'names a ticket type already in the hold');
    seen.add(line.ticketTypeId);
    total += line.quantity;
  }
  if (total > MAX_TICKETS_PER_ORDER)
    return {
      code: 'ORDER_LIMIT',
      field: 'items',
      message: `at most ${MAX_TICKETS_PER_ORDER} tickets in one order`,
      details: { limit: MAX_TICKETS_PER_ORDER },
    };
  return null;
}

/** A line over its type's per-order limit. */
export function orderLimitProblem(type: { name: string; maxPerOrder: number }, quantity: number, index: number): Problem | null {
  if (quantity <= type.maxPerOrder) return null;
  return {
    code: 'ORDER_LIMIT',
    field: `items[${index}].quantity`,
    message: `items[${index}].quantity: at most ${type.maxPerOrder} tickets of ${type.name} in one order`,
    details: { limit: type.maxPerOrder },
  };
}

/** One order is paid in one currency: its total, or the problem of types priced in different ones. */
export function orderTotal(
  lines: ReadonlyArray<{ quantity: number; priceMinor: number; currency: string }>,
): { totalMinor: number; currency: string } | Problem {
  const currencies = [...new Set(lines.map((l) => l.currency))];
  if (currencies.length !== 1)
    return badInput(
      'items',
      `the ticket types are priced in different currencies (${currencies.join(', ')}): hold them separately`,
    );
  return { totalMinor: lines.reduce((sum, l) => sum + l.quantity * l.priceMinor, 0), currency: currencies[0]! };
}

export type HoldStatus = 'ACTIVE' | 'CONFIRMED' | 'EXPIRED' | 'RELEASED';

/** Is the hold still counting against availability at `now`? An ACTIVE hold past its expiry no longer is. */
export const holdIsLive = (hold: { status: string; expiresAt: Date }, now: Date) =>
  hold.status === 'ACTIVE' && hold.expiresAt > now;

/**
 * Why a hold cannot become a booking (its buyer's own, already checked), or null. A hold confirmed before is
 * not a problem here: the caller answers it with its booking when the client key matches.
 */
export function confirmationProblem(hold: { id: string; status: string; expiresAt: Date }, now: Date): Problem | null {
  if (hold.status === 'CONFIRMED')
    return {
      code: 'CONFLICT',
      message: `hold ${hold.id} was confirmed already, with another client key`,
      details: { holdId: hold.id },
    };
  if (!holdIsLive(hold, now))
    return {
      code: 'HOLD_EXPIRED',
      message: `hold ${hold.id} ${hold.status === 'RELEASED' ? 'was released' : 'expired'}: its tickets went back on sale; place a new hold`,
      details: { holdId: hold.id },
    };
  return null;
}

export const PAYMENT_STATUSES = ['PENDING', 'PAID', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** The organisation records payments made elsewhere: pending → paid → refunded, nothing back. */
const PAYMENT_MOVES: Transitions<PaymentStatus> = { PENDING: ['PAID'], PAID: ['REFUNDED'], REFUNDED: [] };

export function paymentProblem(from: PaymentStatus, to: PaymentStatus): Problem | null {
  const check = checkTransition('the booking’s payment', PAYMENT_MOVES, from, to);
  return check.ok ? null : { code: check.code, message: check.message, details: { from, to } };
}

export function cancellationProblem(booking: { id: string; status: string }): Problem | null {
  return booking.status === 'CANCELLED'
    ? {
        code: 'NO_CHANGE',
        message: `booking ${booking.id} is already cancelled`,
        details: { from: 'CANCELLED', to: 'CANCELLED' },
      }
    : null;
}
