import { currencyCode } from '../src/domain/currencies';
import {
  cancellationProblem,
  checkHoldLines,
  confirmationProblem,
  holdIsLive,
  orderLimitProblem,
  orderTotal,
  paymentProblem,
} from '../src/domain/holds';
import {
  inventoryProblem,
  isProblem,
  normalizeTicketType,
  offeredTo,
  salesProblem,
  type TicketTypeSettings,
} from '../src/domain/ticket-types';

const at = (iso: string) => new Date(iso);
const ga: TicketTypeSettings = {
  name: ' Early bird ',
  priceMinor: 2500,
  currency: 'eur',
  quantity: 100,
  salesStartAt: null,
  salesEndAt: null,
  maxPerOrder: 4,
  visibility: 'PUBLIC',
  accessCode: null,
  categories: ['ga', 'GA', 'camping'],
};
const problemOf = (settings: Partial<TicketTypeSettings>, taken = 0) => {
  const result = normalizeTicketType({ ...ga, ...settings }, taken);
  return isProblem(result) ? result : null;
};

describe('ticket types', () => {
  it('are stored trimmed, the currency and categories upper-cased and without repeats', () => {
    expect(normalizeTicketType(ga)).toMatchObject({ name: 'Early bird', currency: 'EUR', categories: ['GA', 'CAMPING'] });
  });

  it('take prices in a currency of the ISO 4217 list only', () => {
    expect(currencyCode('jpy')).toBe('JPY');
    for (const currency of ['ABC', 'EU', 'EURO', '', 'XXX'])
      expect(problemOf({ currency })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currency' });
  });

  it.each([
    [{ name: '  ' }, 'name'],
    [{ priceMinor: -1 }, 'priceMinor'],
    [{ priceMinor: 12.5 }, 'priceMinor'],
    [{ priceMinor: 10_000_001 }, 'priceMinor'],
    [{ quantity: -5 }, 'quantity'],
    [{ quantity: 2.5 }, 'quantity'],
    [{ maxPerOrder: 0 }, 'maxPerOrder'],
    [{ maxPerOrder: 101 }, 'maxPerOrder'],
    [{ salesStartAt: at('2027-01-02T00:00:00Z'), salesEndAt: at('2027-01-01T00:00:00Z') }, 'salesEndAt'],
    [{ visibility: 'HIDDEN' as const }, 'accessCode'],
    [{ accessCode: 'FRIENDS' }, 'accessCode'],
    [{ visibility: 'HIDDEN' as const, accessCode: 'a b' }, 'accessCode'],
    [{ categories: [] }, 'categories'],
    [{ categories: ['x'.repeat(41)] }, 'categories[0]'],
  ])('refuse %j, naming %s', (settings, field) => {
    expect(problemOf(settings)).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('may not shrink below what is sold or held', () => {
    expect(problemOf({ quantity: 9 }, 10)).toMatchObject({ field: 'quantity', message: expect.stringContaining('at least 10') });
    expect(problemOf({ quantity: 10 }, 10)).toBeNull();
  });

  it('add up to at most the venue’s capacity, when it is stated', () => {
    expect(inventoryProblem(500, 500)).toBeNull();
    expect(inventoryProblem(500, 501)).toMatchObject({
      code: 'INVENTORY_OVER_CAPACITY',
      details: { maxCapacity: 500, total: 501 },
    });
    expect(inventoryProblem(0, 10_000)).toBeNull();
    expect(inventoryProblem(null, 10_000)).toBeNull();
  });

  it('sell only while the event is ON_SALE and within their window', () => {
    const facts = {
      eventStatus: 'ON_SALE',
      salesStartAt: at('2027-01-01T00:00:00Z'),
      salesEndAt: at('2027-02-01T00:00:00Z'),
      name: 'GA',
    };
    expect(salesProblem(facts, at('2027-01-15T00:00:00Z'))).toBeNull();
    expect(salesProblem({ ...facts, eventStatus: 'PAUSED' }, at('2027-01-15T00:00:00Z'))).toMatchObject({
      code: 'SALES_CLOSED',
      details: { reason: 'EVENT_NOT_ON_SALE' },
    });
    expect(salesProblem(facts, at('2026-12-31T23:59:59Z'))?.details).toEqual({ reason: 'NOT_STARTED' });
    expect(salesProblem(facts, at('2027-02-01T00:00:00Z'))?.details).toEqual({ reason: 'ENDED' });
  });

  it('hidden ones are offered only with their access code', () => {
    expect(offeredTo({ visibility: 'PUBLIC', accessCode: null }, undefined)).toBe(true);
    expect(offeredTo({ visibility: 'HIDDEN', accessCode: 'CREW-2027' }, undefined)).toBe(false);
    expect(offeredTo({ visibility: 'HIDDEN', accessCode: 'CREW-2027' }, 'crew-2027')).toBe(false);
    expect(offeredTo({ visibility: 'HIDDEN', accessCode: 'CREW-2027' }, ' CREW-2027 ')).toBe(true);
  });
});

describe('holds', () => {
  const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

  it('take whole positive quantities of distinct types, 100 tickets at most', () => {
    expect(checkHoldLines([{ ticketTypeId: id(1), quantity: 2 }])).toBeNull();
    expect(checkHoldLines([])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
    expect(checkHoldLines([{ ticketTypeId: id(1), quantity: 0 }])).toMatchObject({ field: 'items[0].quantity' });
    expect(checkHoldLines([{ ticketTypeId: id(1), quantity: -3 }])).toMatchObject({ field: 'items[0].quantity' });
    expect(checkHoldLines([{ ticketTypeId: id(1), quantity: 1.5 }])).toMatchObject({ field: 'items[0].quantity' });
    expect(
      checkHoldLines([
        { ticketTypeId: id(1), quantity: 1 },
        { ticketTypeId: id(1), quantity: 1 },
      ]),
    ).toMatchObject({ field: 'items[1].ticketTypeId' });
    expect(
      checkHoldLines([
        { ticketTypeId: id(1), quantity: 60 },
        { ticketTypeId: id(2), quantity: 41 },
      ]),
    ).toMatchObject({ code: 'ORDER_LIMIT', details: { limit: 100 } });
    expect(checkHoldLines(Array.from({ length: 11 }, (_, i) => ({ ticketTypeId: `${i}`, quantity: 1 })))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it('stay within each type’s per-order limit', () => {
    expect(orderLimitProblem({ name: 'GA', maxPerOrder: 4 }, 4, 0)).toBeNull();
    expect(orderLimitProblem({ name: 'GA', maxPerOrder: 4 }, 5, 1)).toMatchObject({
      code: 'ORDER_LIMIT',
      field: 'items[1].quantity',
      details: { limit: 4 },
    });
  });

  it('are paid in one currency', () => {
    expect(
      orderTotal([
        { quantity: 2, priceMinor: 2500, currency: 'EUR' },
        { quantity: 1, priceMinor: 9900, currency: 'EUR' },
      ]),
    ).toEqual({ totalMinor: 14900, currency: 'EUR' });
    expect(
      orderTotal([
        { quantity: 1, priceMinor: 1, currency: 'EUR' },
        { quantity: 1, priceMinor: 1, currency: 'USD' },
      ]),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items' });
  });

  it('become bookings only while live', () => {
    const now = at('2027-01-01T12:00:00Z');
    const hold = { id: 'h', status: 'ACTIVE', expiresAt: at('2027-01-01T12:10:00Z') };
    expect(holdIsLive(hold, now)).toBe(true);
    expect(confirmationProblem(hold, now)).toBeNull();
    expect(confirmationProblem({ ...hold, expiresAt: now }, now)).toMatchObject({ code: 'HOLD_EXPIRED' });
    expect(confirmationProblem({ ...hold, status: 'EXPIRED' }, now)).toMatchObject({ code: 'HOLD_EXPIRED' });
    expect(confirmationProblem({ ...hold, status: 'RELEASED' }, now)).toMatchObject({ code: 'HOLD_EXPIRED' });
    expect(confirmationProblem({ ...hold, status: 'CONFIRMED' }, now)).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('bookings', () => {
  it('move from pending to paid to refunded, never back', () => {
    expect(paymentProblem('PENDING', 'PAID')).toBeNull();
    expect(paymentProblem('PAID', 'REFUNDED')).toBeNull();
    expect(paymentProblem('PENDING', 'REFUNDED')).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(paymentProblem('REFUNDED', 'PAID')).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(paymentProblem('PAID', 'PAID')).toMatchObject({ code: 'NO_CHANGE' });
  });

  it('are cancelled once', () => {
    expect(cancellationProblem({ id: 'b', status: 'CONFIRMED' })).toBeNull();
    expect(cancellationProblem({ id: 'b', status: 'CANCELLED' })).toMatchObject({ code: 'NO_CHANGE' });
  });
});
