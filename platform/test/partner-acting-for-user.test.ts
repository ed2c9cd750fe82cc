import type { BusEvent } from '@eventgraph/runtime';
import { apiKeyCredential, createEventgraphClient, MyBookingsDocument, MyPartnerGrantsDocument } from '@eventgraph/sdk';
import { createOrganization } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { eventOnSale, until } from './support/ticket-sales';
import { call, held, join, ok, startSale, ticketType, typeState, WAITLIST_Q as Q, type Sale } from './support/waitlist';

/**
 * A partner app acting for a user (issue 14) through the gateway: the partner's key sends
 * `x-eventgraph-acting-for: <userId>` and, with the user's grant (TICKETS_BUY), holds, books and joins waitlists
 * as that user. No grant, a revoked grant, a malformed id, or a caller that is no partner key is refused with its
 * code and nothing is held. What the app sells records it (`soldThroughAppId`), and acting for a user it sees and
 * changes only those of the user's sales, never what the user bought directly or through another app. CI runs it
 * on PGlite and on PostgreSQL with NATS.
 */
const ACTING_FOR = 'x-eventgraph-acting-for';
const GRANT = `mutation($app: ID!, $scopes: [PartnerScope!]!) { grantPartnerApp(partnerAppId: $app, scopes: $scopes) {
  partnerAppId partnerAppName scopes } }`;
const REVOKE = `mutation($app: ID!) { revokePartnerGrant(partnerAppId: $app) }`;
const MY_GRANTS = `{ myPartnerGrants { partnerAppId partnerAppName brandName scopes } }`;
const MY_BOOKINGS = `{ myBookings(first: 50) { edges { node { id buyerKind buyerId } } } }`;

let platform: TestPlatform;
let sale: Sale;
let appId: string;
let key: string;
let elsewhereEvent: string;
const heard: BusEvent[] = [];

type Body = Awaited<ReturnType<TestPlatform['request']>>['body'];

/** A call with the partner's key, acting for `userId` when given. */
const partner = (query: string, variables: Record<string, unknown>, userId?: string, token = key) =>
  platform.request(query, variables, { token, headers: userId === undefined ? {} : { [ACTING_FOR]: userId } });

const holdInput = (ticketTypeId: string, quantity = 1, eventId = sale.event) => ({
  input: { eventId, items: [{ ticketTypeId, quantity }] },
});
const only = (body: Body) => {
  if (body.errors?.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(body)}`);
  return body.errors[0]!.extensions!;
};
const id = (who: string) => sale.people[who]!.id;
const apiKeyOf = async (app: string) =>
  (
    await ok(
      sale,
      'owner',
      `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "shop", scopes: ["events:read"]) { secret } }`,
      { a: app },
    )
  ).createApiKey.secret as string;

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  platform.bus.subscribe('booking.*', (event) => void heard.push(event));
  sale = await startSale(platform, ['alice', 'bob', 'carol', 'holder', 'stranger']);
  const { createPartnerApp } = await ok(
    sale,
    'owner',
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Ticket corner", whiteLabel: { brandName: "Corner" }) { id } }`,
    { o: sale.org },
  );
  appId = createPartnerApp.id;
  key = await apiKeyOf(appId);
  // an organisation the partner app may not sell for
  const strangerOrg = await createOrganization(platform, sale.people.stranger!, `elsewhere-${Date.now().toString(36)}`);
  const asStranger = (query: string, variables: Record<string, unknown>) => ok(sale, 'stranger', query, variables);
  elsewhereEvent = await eventOnSale(platform, asStranger, strangerOrg, 100);
}, 240_000);
jest.setTimeout(120_000);
afterAll(async () => {
  await platform?.stop();
});

describe('granting', () => {
  it('is for signed-in users only, to a partner app that exists, with at least one scope', async () => {
    const refusals: Array<[string, Record<string, unknown>, string, string?]> = [
      ['alice', { app: '00000000-0000-4000-8000-000000000000', scopes: ['TICKETS_BUY'] }, 'NOT_FOUND'],
      ['alice', { app: 'nope', scopes: ['TICKETS_BUY'] }, 'BAD_USER_INPUT'],
      ['alice', { app: appId, scopes: [] }, 'BAD_USER_INPUT'],
      ['anonymous', { app: appId, scopes: ['TICKETS_BUY'] }, 'UNAUTHENTICATED'],
    ];
    for (const [who, variables, code] of refusals) {
      const body = await call(sale, who, GRANT, variables);
      expect({ variables, code: only(body).code }).toEqual({ variables, code });
    }
    const byKey = (await partner(GRANT, { app: appId, scopes: ['TICKETS_BUY'] })).body;
    expect(only(byKey)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_USER' });
    expect((await ok(sale, 'alice', MY_GRANTS)).myPartnerGrants).toEqual([]);
  });
});

describe('a partner key acting for a user', () => {
  it('is refused without a grant, with a malformed id, or from a caller that is no partner key; nothing is held', async () => {
    const t = await ticketType(sale, 5);
    const noGrant = await partner(Q.hold, holdInput(t), id('alice'));
    expect(noGrant.status).toBe(403);
    expect(only(noGrant.body)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_GRANTED' });
    const malformed = await partner(Q.hold, holdInput(t), 'alice');
    expect(malformed.status).toBe(400);
    expect(only(malformed.body)).toMatchObject({ code: 'BAD_USER_INPUT', field: ACTING_FOR });
    // a user's own token (or anyone but a partner key) naming a user is refused, not ignored
    const userToken = await partner(Q.hold, holdInput(t), id('alice'), sale.people.bob!.accessToken);
    expect(only(userToken.body)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_PARTNER_KEY' });
    const anonymous = await platform.request(Q.hold, holdInput(t), { token: null, headers: { [ACTING_FOR]: id('alice') } });
    expect(only(anonymous.body)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_A_PARTNER_KEY' });
    expect(await typeState(sale, t)).toMatchObject({ available: 5, held: 0, sold: 0 });
  });

  it("after the user's grant, holds and books as the user: in their own bookings, not the partner app's", async () => {
    const granted = await ok(sale, 'alice', GRANT, { app: appId, scopes: ['TICKETS_BUY'] });
    expect(granted.grantPartnerApp).toEqual({ partnerAppId: appId, partnerAppName: 'Ticket corner', scopes: ['TICKETS_BUY'] });
    expect((await ok(sale, 'alice', MY_GRANTS)).myPartnerGrants).toEqual([
      { partnerAppId: appId, partnerAppName: 'Ticket corner', brandName: 'Corner', scopes: ['TICKETS_BUY'] },
    ]);
    const t = await ticketType(sale, 5);
    const hold = (await partner(Q.hold, holdInput(t, 2), id('alice'))).body;
    expect(hold.errors).toBeUndefined();
    const holdId = (hold.data as any).createHold.id as string;
    const confirmed = (await partner(Q.confirm, { holdId, key: 'corner-1' }, id('alice'))).body;
    expect(confirmed.errors).toBeUndefined();
    const bookingId = (confirmed.data as any).confirmHold.id as string;
    const mine = (await ok(sale, 'alice', MY_BOOKINGS)).myBookings.edges.map((e: any) => e.node);
    expect(mine).toEqual([{ id: bookingId, buyerKind: 'user', buyerId: id('alice') }]);
    const apps = ((await partner(MY_BOOKINGS, {})).body.data as any).myBookings.edges.map((e: any) => e.node.id);
    expect(apps).not.toContain(bookingId);
    expect((await ok(sale, 'bob', MY_BOOKINGS)).myBookings.edges).toEqual([]);
    // the SDK sends the header for a client made to act for the user
    const sdk = createEventgraphClient({ url: platform.gateway.url, credential: apiKeyCredential(key), actingFor: id('alice') });
    try {
      const { myBookings } = await sdk.request(MyBookingsDocument, { first: 10 });
      expect(myBookings.edges.map((e) => e.node.id)).toEqual([bookingId]);
    } finally {
      await sdk.close();
    }
    const signedIn = createEventgraphClient({ url: platform.gateway.url, credential: sale.people.alice!.accessToken });
    try {
      expect((await signedIn.request(MyPartnerGrantsDocument, {})).myPartnerGrants.map((g) => g.partnerAppId)).toEqual([appId]);
    } finally {
      await signedIn.close();
    }
    expect(await typeState(sale, t)).toMatchObject({ available: 3, sold: 2 });
  });

  it('gives each user their own place in a waitlist', async () => {
    await ok(sale, 'bob', GRANT, { app: appId, scopes: ['TICKETS_BUY'] });
    const t = await ticketType(sale, 1);
    await held(sale, 'holder', t, 1);
    const joined = async (who: string) => {
      const body = (await partner(Q.join, { t, q: 1 }, id(who))).body;
      expect(body.errors).toBeUndefined();
      return (body.data as any).joinWaitlist;
    };
    const alice = await joined('alice');
    const bob = await joined('bob');
    expect([alice.position, bob.position]).toEqual([1, 2]);
    expect(alice.id).not.toBe(bob.id);
    const entries = (await ok(sale, 'bob', Q.mine)).myWaitlistEntries.edges.map((e: any) => e.node);
    expect(entries).toEqual([expect.objectContaining({ id: bob.id, position: 2, ticketType: { id: t } })]);
    const { waitlist } = await ok(sale, 'owner', Q.line, { t });
    expect(waitlist.edges.map((e: any) => e.node.buyerId)).toEqual([id('alice'), id('bob')]);
  });

  it('still sells only for the organisations the partner app may sell for', async () => {
    const { event } = await ok(sale, 'stranger', `query($e: ID!) { event(id: $e) { id } }`, { e: elsewhereEvent });
    expect(event.id).toBe(elsewhereEvent);
    const { createTicketType } = await ok(sale, 'stranger', Q.createType, {
      input: { eventId: elsewhereEvent, name: 'GA', priceMinor: 1000, currency: 'EUR', quantity: 10, categories: ['GA'] },
    });
    const body = (await partner(Q.hold, holdInput(createTicketType.id, 1, elsewhereEvent), id('bob'))).body;
    expect(only(body)).toMatchObject({ code: 'NOT_FOUND', field: 'eventId' });
    expect((await ok(sale, 'stranger', Q.type, { id: createTicketType.id })).ticketType).toMatchObject({ held: 0 });
  });

  it('is refused at once after the user revokes the grant', async () => {
    const t = await ticketType(sale, 5);
    expect((await partner(Q.hold, holdInput(t), id('alice'))).body.errors).toBeUndefined();
    expect((await ok(sale, 'alice', REVOKE, { app: appId })).revokePartnerGrant).toBe(true);
    const after = await partner(Q.hold, holdInput(t), id('alice'));
    expect(only(after.body)).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_GRANTED' });
    expect((await ok(sale, 'alice', REVOKE, { app: appId })).revokePartnerGrant).toBe(false);
    expect((await ok(sale, 'alice', MY_GRANTS)).myPartnerGrants).toEqual([]);
    // bob's grant is his own
    expect((await partner(Q.hold, holdInput(t), id('bob'))).body.errors).toBeUndefined();
    expect(await typeState(sale, t)).toMatchObject({ held: 2 });
  });
});

describe('the sales a partner acting for a user sees', () => {
  const BOOKING = `query($id: ID!) { booking(id: $id) { id status salesChannel soldThroughAppId } }`;
  const HOLD = `query($id: ID!) { hold(id: $id) { id soldThroughAppId } }`;
  const MINE = `{ myBookings(first: 50) { edges { node { id salesChannel soldThroughAppId } } } }`;
  const SALES = `query($e: ID!, $c: SalesChannel, $a: ID) { bookings(eventId: $e, salesChannel: $c, soldThroughAppId: $a, first: 100) {
    edges { node { id salesChannel soldThroughAppId } } } }`;
  const MY_PLACES = `{ myWaitlistEntries(first: 50) { totalCount edges { node { id status soldThroughAppId offer { id soldThroughAppId } } } } }`;
  type Caller = (query: string, variables?: Record<string, unknown>) => Promise<Body>;
  const asCarol: Caller = (query, variables = {}) => call(sale, 'carol', query, variables);
  const asApp: Caller = async (query, variables = {}) => (await partner(query, variables, id('carol'))).body;
  const asOtherApp: Caller = async (query, variables = {}) => (await partner(query, variables, id('carol'), otherKey)).body;
  const data = (body: Body) => {
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data as Record<string, any>;
  };
  const book = async (as: Caller, t: string, clientKey: string) => {
    const holdId = data(await as(Q.hold, holdInput(t))).createHold.id as string;
    const bookingId = data(await as(Q.confirm, { holdId, key: clientKey })).confirmHold.id as string;
    return { holdId, bookingId };
  };
  const ids = (connection: { edges: Array<{ node: { id: string } }> }) => connection.edges.map((e) => e.node.id).sort();
  let otherAppId: string;
  let otherKey: string;
  let direct: { holdId: string; bookingId: string };
  let viaApp: { holdId: string; bookingId: string };

  beforeAll(async () => {
    const { createPartnerApp } = await ok(
      sale,
      'owner',
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Box office", whiteLabel: { brandName: "Box" }) { id } }`,
      {
        o: sale.org,
      },
    );
    otherAppId = createPartnerApp.id;
    otherKey = await apiKeyOf(otherAppId);
    for (const app of [appId, otherAppId]) await ok(sale, 'carol', GRANT, { app, scopes: ['TICKETS_BUY'] });
    const t = await ticketType(sale, 10);
    direct = await book(asCarol, t, 'carol-1');
    viaApp = await book(asApp, t, 'corner-carol-1');
  });

  it('records the app that sold a hold and a booking (null for a direct sale), for the user, the organisation and its webhooks', async () => {
    expect(data(await asApp(HOLD, { id: viaApp.holdId })).hold).toEqual({ id: viaApp.holdId, soldThroughAppId: appId });
    expect(data(await asCarol(MINE)).myBookings.edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([
        { id: direct.bookingId, salesChannel: 'DIRECT', soldThroughAppId: null },
        { id: viaApp.bookingId, salesChannel: 'PARTNER_APP', soldThroughAppId: appId },
      ]),
    );
    const sales = async (variables: Record<string, unknown>) =>
      ids((await ok(sale, 'owner', SALES, { e: sale.event, ...variables })).bookings);
    expect(await sales({})).toEqual(expect.arrayContaining([direct.bookingId, viaApp.bookingId]));
    expect(await sales({ a: appId })).toContain(viaApp.bookingId);
    expect(await sales({ a: appId })).not.toContain(direct.bookingId);
    expect(await sales({ c: 'DIRECT' })).toContain(direct.bookingId);
    expect(await sales({ c: 'DIRECT' })).not.toContain(viaApp.bookingId);
    expect(await sales({ c: 'PARTNER_APP', a: otherAppId })).toEqual([]);
    expect(await sales({ c: 'DIRECT', a: appId })).toEqual([]);
    await until('booking.confirmed of both sales on the bus', async () =>
      [direct, viaApp].every((b) => heard.some((e) => e.topic === 'booking.confirmed' && e.payload.bookingId === b.bookingId)),
    );
    const payloadOf = (bookingId: string) => heard.find((e) => e.payload.bookingId === bookingId)!.payload;
    expect(payloadOf(viaApp.bookingId)).toMatchObject({ buyerKind: 'user', buyerId: id('carol'), soldThroughAppId: appId });
    expect(payloadOf(direct.bookingId)).toMatchObject({ buyerKind: 'user', buyerId: id('carol'), soldThroughAppId: null });
    // and the user's data export names the app beside each sale
    const { access } = data(await asCarol(`{ exportMyData { access } }`)).exportMyData;
    const exported = new Map(access.bookings.map((b: any) => [b.id, b.soldThroughAppId]));
    expect([exported.get(direct.bookingId), exported.get(viaApp.bookingId)]).toEqual([null, appId]);
  });

  it('acting for the user, an app sees and changes only what it sold them; another app sees neither', async () => {
    expect(ids(data(await asApp(MINE)).myBookings)).toEqual([viaApp.bookingId]);
    expect(data(await asApp(BOOKING, { id: direct.bookingId })).booking).toBeNull();
    expect(data(await asApp(HOLD, { id: direct.holdId })).hold).toBeNull();
    // the user's direct sale is NOT_FOUND to the app, as another buyer's is
    expect(only(await asApp(Q.cancel, { id: direct.bookingId }))).toMatchObject({ code: 'NOT_FOUND' });
    const t = await ticketType(sale, 5);
    const openHold = data(await asCarol(Q.hold, holdInput(t))).createHold.id as string;
    expect(only(await asApp(Q.confirm, { holdId: openHold, key: 'corner-x' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(only(await asApp(Q.release, { id: openHold }))).toMatchObject({ code: 'NOT_FOUND' });
    // the user's own client key, reused by the app, names none of the user's holds
    const appHold = data(await asApp(Q.hold, holdInput(t))).createHold.id as string;
    const reused = only(await asApp(Q.confirm, { holdId: appHold, key: 'carol-1' }));
    expect(reused).toMatchObject({ code: 'CONFLICT', field: 'clientKey' });
    expect(JSON.stringify(reused)).not.toContain(direct.holdId);

    expect(data(await asOtherApp(MINE)).myBookings.edges).toEqual([]);
    for (const sold of [direct, viaApp]) {
      expect(data(await asOtherApp(BOOKING, { id: sold.bookingId })).booking).toBeNull();
      expect(only(await asOtherApp(Q.cancel, { id: sold.bookingId }))).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(only(await asOtherApp(Q.confirm, { holdId: appHold, key: 'box-1' }))).toMatchObject({ code: 'NOT_FOUND' });

    expect(data(await asApp(Q.cancel, { id: viaApp.bookingId })).cancelBooking).toEqual({ status: 'CANCELLED' });
    expect(data(await asCarol(BOOKING, { id: direct.bookingId })).booking).toMatchObject({ status: 'CONFIRMED' });
    expect(data(await asCarol(BOOKING, { id: viaApp.bookingId })).booking).toMatchObject({ status: 'CANCELLED' });
  });

  it('keeps one place in a line per user: the app sees, leaves and confirms only the place it took', async () => {
    const t = await ticketType(sale, 1);
    const blocking = await held(sale, 'holder', t, 1);
    const directPlace = await join(sale, 'carol', t, 1);
    const elsewhere = only(await asApp(Q.join, { t, q: 1 }));
    expect(elsewhere).toMatchObject({ code: 'ALREADY_WAITING', field: 'ticketTypeId' });
    expect(JSON.stringify(elsewhere)).not.toContain(directPlace.id);
    expect(only(await asApp(Q.leave, { t }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(data(await asApp(MY_PLACES)).myWaitlistEntries.totalCount).toBe(0);
    await ok(sale, 'carol', Q.leave, { t });

    const place = data(await asApp(Q.join, { t, q: 1 })).joinWaitlist;
    expect(data(await asOtherApp(MY_PLACES)).myWaitlistEntries.edges.map((e: any) => e.node.id)).not.toContain(place.id);
    // the returned ticket is offered to the app's place: a hold sold through the app, which it confirms
    await ok(sale, 'holder', Q.release, { id: blocking });
    const offered = async () =>
      data(await asApp(MY_PLACES))
        .myWaitlistEntries.edges.map((e: any) => e.node)
        .find((n: any) => n.id === place.id);
    await until('the offer to the app’s place', async () => (await offered())?.status === 'OFFERED');
    const entry = await offered();
    expect(entry).toMatchObject({ soldThroughAppId: appId, offer: { soldThroughAppId: appId } });
    const booked = data(await asApp(Q.confirm, { holdId: entry.offer.id, key: 'corner-offer' })).confirmHold.id;
    expect(data(await asCarol(BOOKING, { id: booked })).booking).toMatchObject({ soldThroughAppId: appId });
  });
});
