import {
  chooseOffers,
  isLive,
  joinProblem,
  rejoinProblem,
  shownStatus,
  statusAfterOffer,
  waitingElsewhereProblem,
  waitlistQuantityProblem,
} from '../src/domain/waitlist';

const type = { id: 't1', name: 'GA', maxPerOrder: 4 };

describe('who may join a waitlist', () => {
  it('only when a hold would be refused: fewer free than asked, or others waiting', () => {
    expect(joinProblem(type, { free: 0, waiting: 0 }, 1)).toBeNull();
    expect(joinProblem(type, { free: 1, waiting: 0 }, 2)).toBeNull();
    expect(joinProblem(type, { free: 3, waiting: 1 }, 1)).toBeNull();
    expect(joinProblem(type, { free: 2, waiting: 0 }, 2)).toMatchObject({
      code: 'NOT_SOLD_OUT',
      details: { ticketTypeId: 't1', available: 2 },
    });
  });

  it('for a whole number of tickets within the type’s per-order limit', () => {
    expect(waitlistQuantityProblem(type, 4)).toBeNull();
    for (const bad of [0, -1, 1.5])
      expect(waitlistQuantityProblem(type, bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'quantity' });
    expect(waitlistQuantityProblem(type, 5)).toMatchObject({ code: 'ORDER_LIMIT', field: 'quantity', details: { limit: 4 } });
  });

  it('once per type: the same quantity is the same entry, another ALREADY_WAITING', () => {
    const entry = { id: 'e1', quantity: 2, status: 'WAITING' };
    expect(rejoinProblem(entry, 2)).toBeNull();
    expect(rejoinProblem(entry, 3)).toMatchObject({ code: 'ALREADY_WAITING', details: { entryId: 'e1', quantity: 2 } });
  });

  it('a place taken through another channel is ALREADY_WAITING without naming it', () => {
    const problem = waitingElsewhereProblem();
    expect(problem).toMatchObject({ code: 'ALREADY_WAITING', field: 'ticketTypeId' });
    expect(problem.details).toBeUndefined();
  });
});

describe('offers of returned tickets', () => {
  const line = [
    { id: 'a', quantity: 2 },
    { id: 'b', quantity: 3 },
    { id: 'c', quantity: 1 },
    { id: 'd', quantity: 1 },
  ];
  const ids = (free: number) => chooseOffers(free, line).map((c) => c.entry.id);

  it('go front to back to each entry whose quantity still fits', () => {
    expect(ids(0)).toEqual([]);
    expect(ids(1)).toEqual(['c']);
    expect(ids(2)).toEqual(['a']);
    expect(ids(3)).toEqual(['a', 'c']);
    expect(ids(4)).toEqual(['a', 'c', 'd']);
    expect(ids(5)).toEqual(['a', 'b']);
    expect(ids(100)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('of seats come from the first pool holding them all (plain seats, then accessible ones)', () => {
    const offered = (free: number, pools: number[]) => chooseOffers(free, line, pools).map((c) => [c.entry.id, c.pool]);
    expect(offered(4, [1, 3])).toEqual([
      ['a', 1],
      ['c', 0],
      ['d', 1],
    ]);
    expect(offered(3, [0, 3])).toEqual([
      ['a', 1],
      ['c', 1],
    ]);
    expect(offered(2, [1, 1])).toEqual([
      ['c', 0],
      ['d', 1],
    ]);
  });

  it('end with their hold: confirmed BOOKED, run out EXPIRED, given back LEFT', () => {
    expect(statusAfterOffer('CONFIRMED')).toBe('BOOKED');
    expect(statusAfterOffer('EXPIRED')).toBe('EXPIRED');
    expect(statusAfterOffer('RELEASED')).toBe('LEFT');
    expect(statusAfterOffer('ACTIVE')).toBeNull();
  });

  it('past their expiry show as EXPIRED before the scheduler says so', () => {
    const now = new Date('2027-01-01T12:00:00Z');
    expect(shownStatus({ status: 'OFFERED' }, new Date('2027-01-01T11:59:59Z'), now)).toBe('EXPIRED');
    expect(shownStatus({ status: 'OFFERED' }, new Date('2027-01-01T12:00:01Z'), now)).toBe('OFFERED');
    expect(shownStatus({ status: 'WAITING' }, null, now)).toBe('WAITING');
    expect(isLive('OFFERED') && isLive('WAITING') && !isLive('BOOKED')).toBe(true);
  });
});
