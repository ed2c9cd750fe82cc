import { createOrganization } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { eventOnSale, until } from './support/ticket-sales';
import {
  call,
  entryOf,
  expire,
  held,
  holdOf,
  join,
  ok,
  refused,
  startSale,
  ticketType,
  typeState,
  WAITLIST_Q as Q,
  type Sale,
} from './support/waitlist';

/**
 * The waitlist of a sold-out ticket type through the gateway: who may join, the line's order, returned tickets
 * (a release, the scheduler's expiry, a cancellation) offered front to back as holds of their own, an offer that
 * runs out passing on, nobody jumping the line, leaving, and who sees what. CI runs it on PGlite and on
 * PostgreSQL with NATS.
 */
let platform: TestPlatform;
let sale: Sale;
let previousInterval: string | undefined;

beforeAll(async () => {
  previousInterval = process.env.ACCESS_SCHEDULER_INTERVAL_MS;
  process.env.ACCESS_SCHEDULER_INTERVAL_MS = '200';
  platform = await startTestPlatform({ callerPolicies: {} as never });
  sale = await startSale(platform, ['holder', 'first', 'second', 'third', 'fresh', 'stranger']);
  await createOrganization(platform, sale.people.stranger!, `elsewhere-${Date.now().toString(36)}`);
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
  if (previousInterval === undefined) delete process.env.ACCESS_SCHEDULER_INTERVAL_MS;
  else process.env.ACCESS_SCHEDULER_INTERVAL_MS = previousInterval;
});

describe('joining', () => {
  it('is only for a sold-out type, within the order limit; bad input gets its code and nothing changes', async () => {
    const t = await ticketType(sale, 2);
    const hidden = await ticketType(sale, 1, { visibility: 'HIDDEN', accessCode: 'BACKSTAGE' });
    const notSoldOut = await refused(sale, 'first', Q.join, { t, q: 1 });
    expect(notSoldOut.extensions).toMatchObject({ code: 'NOT_SOLD_OUT', ticketTypeId: t, available: 2 });
    await held(sale, 'holder', t, 2);
    const refusals: Array<[string, Record<string, unknown>, string, string?]> = [
      ['first', { t, q: 0 }, 'BAD_USER_INPUT', 'quantity'],
      ['first', { t, q: 5 }, 'ORDER_LIMIT', 'quantity'],
      ['first', { t: '00000000-0000-4000-8000-000000000000', q: 1 }, 'NOT_FOUND', 'ticketTypeId'],
      ['first', { t: 'nope', q: 1 }, 'BAD_USER_INPUT', 'ticketTypeId'],
      ['first', { t: hidden, q: 1 }, 'NOT_FOUND', 'ticketTypeId'],
      ['anonymous', { t, q: 1 }, 'UNAUTHENTICATED'],
    ];
    for (const [who, variables, code, field] of refusals) {
      const error = await refused(sale, who, Q.join, variables);
      expect({ variables, code: error.extensions!.code }).toEqual({ variables, code });
      if (field) expect(error.extensions!.field).toBe(field);
    }
    expect((await ok(sale, 'owner', Q.line, { t })).waitlist.totalCount).toBe(0);
    expect(await typeState(sale, t)).toMatchObject({ available: 0, held: 2, waiting: 0 });
  });

  it('puts buyers in line in order; joining again is the same entry, another quantity ALREADY_WAITING', async () => {
    const t = await ticketType(sale, 3);
    await held(sale, 'holder', t, 3);
    const first = await join(sale, 'first', t, 1);
    const second = await join(sale, 'second', t, 2);
    const third = await join(sale, 'third', t, 1);
    expect([first, second, third].map((e) => [e.status, e.position, e.ahead])).toEqual([
      ['WAITING', 1, 0],
      ['WAITING', 2, 1],
      ['WAITING', 3, 2],
    ]);
    expect((await join(sale, 'second', t, 2)).id).toBe(second.id);
    expect((await refused(sale, 'second', Q.join, { t, q: 1 })).extensions).toMatchObject({
      code: 'ALREADY_WAITING',
      entryId: second.id,
    });
    expect(await typeState(sale, t)).toMatchObject({ available: 0, waiting: 3 });
    const { waitlist } = await ok(sale, 'owner', Q.line, { t, first: 2 });
    const rest = (await ok(sale, 'owner', Q.line, { t, after: waitlist.pageInfo.endCursor })).waitlist;
    expect([...waitlist.edges, ...rest.edges].map((e: any) => [e.node.id, e.node.position])).toEqual([
      [first.id, 1],
      [second.id, 2],
      [third.id, 3],
    ]);
    expect(waitlist.totalCount).toBe(3);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});

describe('returned tickets', () => {
  it('go to the first whose quantity fits, as an offer hold; a fresh buyer cannot jump the line', async () => {
    const t = await ticketType(sale, 2);
    const holdId = await held(sale, 'holder', t, 2);
    const first = await join(sale, 'first', t, 1);
    const second = await join(sale, 'second', t, 2);
    const third = await join(sale, 'third', t, 1);
    await ok(sale, 'holder', Q.release, { id: holdId });
    // two returned: one to the first, none fits the second (2) after that, one to the third
    const mine = await entryOf(sale, 'first', t);
    expect(mine).toMatchObject({ id: first.id, status: 'OFFERED', position: 1, offer: { status: 'ACTIVE' } });
    expect(Date.parse(mine!.offerExpiresAt) - Date.now()).toBeGreaterThan(20 * 60_000);
    expect(await entryOf(sale, 'second', t)).toMatchObject({ id: second.id, status: 'WAITING', position: 2, offer: null });
    expect(await entryOf(sale, 'third', t)).toMatchObject({ id: third.id, status: 'OFFERED', position: 3 });
    expect(await typeState(sale, t)).toMatchObject({ available: 0, held: 2, waiting: 1 });
    const jumped = await holdOf(sale, 'fresh', t, 1);
    expect(jumped.errors?.[0]?.extensions).toMatchObject({ code: 'SOLD_OUT', available: 0 });
    // the organisation sees the offers' expiry, not the holds (they are the buyers')
    const line = (await ok(sale, 'owner', Q.line, { t })).waitlist.edges.map((e: any) => e.node);
    expect(line.map((n: any) => [n.id, n.status, n.offer])).toEqual([
      [first.id, 'OFFERED', null],
      [second.id, 'WAITING', null],
      [third.id, 'OFFERED', null],
    ]);
    expect(line[0].offerExpiresAt).toBe(mine!.offerExpiresAt);

    // the first confirms the offer: a booking; the third's runs out and the scheduler passes it on
    const booked = (await ok(sale, 'first', Q.confirm, { holdId: mine!.offer.id, key: `offer-${first.id}` })).confirmHold;
    expect(booked.tickets).toHaveLength(1);
    expect(await entryOf(sale, 'first', t)).toMatchObject({ status: 'BOOKED', position: null });
    await expire(sale, (await entryOf(sale, 'third', t))!.offer.id);
    expect((await entryOf(sale, 'third', t))!.status).toBe('EXPIRED'); // as good as, before the scheduler runs
    await until('the scheduler ending the expired offer', async () => (await typeState(sale, t)).held === 0);
    expect(await entryOf(sale, 'third', t)).toMatchObject({ status: 'EXPIRED', position: null });
    // one ticket back does not fit the second (2): it waits for them, not for a fresh hold
    expect(await entryOf(sale, 'second', t)).toMatchObject({ status: 'WAITING', position: 1 });
    expect((await holdOf(sale, 'fresh', t, 1)).errors?.[0]?.extensions?.code).toBe('SOLD_OUT');
    expect(await typeState(sale, t)).toMatchObject({ available: 0, sold: 1, held: 0, waiting: 1 });

    // the first cancels their booking: now two are back, and the second is offered both
    await ok(sale, 'first', Q.cancel, { id: booked.id });
    expect(await entryOf(sale, 'second', t)).toMatchObject({ status: 'OFFERED', quantity: 2, position: 1 });
    expect(await typeState(sale, t)).toMatchObject({ available: 0, sold: 0, held: 2, waiting: 0 });
  });

  it('an offer given back (leaving) passes on; with nobody left in line the tickets are on sale again', async () => {
    const t = await ticketType(sale, 1);
    const holdId = await held(sale, 'holder', t, 1);
    await join(sale, 'first', t, 1);
    const second = await join(sale, 'second', t, 1);
    await ok(sale, 'holder', Q.release, { id: holdId });
    expect((await entryOf(sale, 'first', t))!.status).toBe('OFFERED');
    expect((await ok(sale, 'first', Q.leave, { t })).leaveWaitlist).toMatchObject({ status: 'LEFT', position: null });
    expect((await refused(sale, 'first', Q.leave, { t })).extensions).toMatchObject({ code: 'NOT_FOUND', field: 'ticketTypeId' });
    const offered = await entryOf(sale, 'second', t);
    expect(offered).toMatchObject({ id: second.id, status: 'OFFERED', position: 1 });
    // the second gives the offer back with releaseHold: LEFT too, and nobody waits any more
    await ok(sale, 'second', Q.release, { id: offered!.offer.id });
    expect((await entryOf(sale, 'second', t))!.status).toBe('LEFT');
    expect(await typeState(sale, t)).toMatchObject({ available: 1, held: 0, waiting: 0 });
    expect((await holdOf(sale, 'fresh', t, 1)).errors).toBeUndefined();
  });

  it('a type grown by the organisation offers the new tickets to the line first', async () => {
    const t = await ticketType(sale, 1);
    await held(sale, 'holder', t, 1);
    await join(sale, 'first', t, 2);
    await ok(sale, 'owner', `mutation($id: ID!) { updateTicketType(id: $id, input: { quantity: 3 }) { id } }`, { id: t });
    expect(await entryOf(sale, 'first', t)).toMatchObject({ status: 'OFFERED', quantity: 2 });
    expect(await typeState(sale, t)).toMatchObject({ available: 0, held: 3, waiting: 0 });
  });
});

describe('seated types', () => {
  it('offer the best free seats of the returned ones, as best-available does', async () => {
    const eventId = await eventOnSale(platform, (q, v) => ok(sale, 'owner', q, v), sale.org, 100);
    const [known] = await platform.subgraphs.access!.sql.query<{ venueId: string }>(
      `SELECT "venueId" FROM "KnownEvent" WHERE "eventId" = $1::uuid`,
      [eventId],
    );
    const venueId = known!.venueId;
    const { createSeatMap } = await ok(sale, 'owner', `mutation($i: CreateSeatMapInput!) { createSeatMap(input: $i) { id } }`, {
      i: { venueId, name: 'Hall', rows: [{ section: 'Hall', row: 'A', numbers: ['1', '2', '3'], category: 'GA' }] },
    });
    const t = await ticketType({ ...sale, event: eventId }, 1);
    await ok(sale, 'owner', `mutation($i: AssignSeatMapInput!) { assignSeatMap(input: $i) { id } }`, {
      i: { eventId, seatMapId: createSeatMap.id, ticketTypes: [{ category: 'GA', ticketTypeId: t }] },
    });
    const holdId = await held({ ...sale, event: eventId }, 'holder', t, 3);
    await join(sale, 'first', t, 2);
    await ok(sale, 'holder', Q.release, { id: holdId });
    const { offer } = (await entryOf(sale, 'first', t))!;
    const { hold } = await ok(sale, 'first', `query($id: ID!) { hold(id: $id) { seats { row number status } } }`, {
      id: offer.id,
    });
    // two seats side by side, held by the offer (best-available's block)
    expect(hold.seats).toHaveLength(2);
    expect(hold.seats.every((seat: { row: string; status: string }) => seat.row === 'A' && seat.status === 'HELD')).toBe(true);
    const numbers = hold.seats.map((seat: { number: string }) => Number(seat.number)).sort();
    expect(numbers[1] - numbers[0]).toBe(1);
    expect((await typeState(sale, t)).held).toBe(2);
  });
});

describe('who sees what', () => {
  it('a buyer their own entries, the organisation its line; nobody else anything', async () => {
    const t = await ticketType(sale, 1);
    await held(sale, 'holder', t, 1);
    const entry = await join(sale, 'first', t, 1);
    const ids = async (who: string) =>
      ((await ok(sale, who, Q.mine)).myWaitlistEntries.edges as Array<{ node: { id: string } }>).map((e) => e.node.id);
    expect(await ids('first')).toContain(entry.id);
    for (const who of ['second', 'stranger', 'owner']) expect(await ids(who)).not.toContain(entry.id);
    expect((await ok(sale, 'anonymous', Q.mine)).myWaitlistEntries.totalCount).toBe(0);
    expect((await ok(sale, 'owner', Q.line, { t })).waitlist.edges.map((e: any) => e.node.id)).toEqual([entry.id]);
    for (const who of ['first', 'second', 'stranger', 'anonymous'])
      expect((await ok(sale, who, Q.line, { t })).waitlist).toBeNull();
    // another's entry cannot be left for them; the type's counts are the organisation's
    expect((await refused(sale, 'stranger', Q.leave, { t })).extensions!.code).toBe('NOT_FOUND');
    expect((await ok(sale, 'first', WAITLIST_TYPE, { id: t })).ticketType).toMatchObject({ available: 0, waiting: null });
    expect((await entryOf(sale, 'first', t))!.status).toBe('WAITING');
    await call(sale, 'first', Q.leave, { t });
  });
});

const WAITLIST_TYPE = `query($id: ID!) { ticketType(id: $id) { available waiting } }`;
