import { apiKeyCredential, createEventgraphClient, MyBookingsDocument, MyPartnerGrantsDocument } from '@eventgraph/sdk';
import { createOrganization } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { eventOnSale } from './support/ticket-sales';
import { call, held, ok, startSale, ticketType, typeState, WAITLIST_Q as Q, type Sale } from './support/waitlist';

/**
 * A partner app acting for a user (issue 14) through the gateway: the partner's key sends
 * `x-eventgraph-acting-for: <userId>` and, with the user's grant (TICKETS_BUY), holds, books and joins waitlists
 * as that user. No grant, a revoked grant, a malformed id, or a caller that is no partner key is refused with its
 * code and nothing is held. CI runs it on PGlite and on PostgreSQL with NATS.
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

beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: {} as never });
  sale = await startSale(platform, ['alice', 'bob', 'holder', 'stranger']);
  const { createPartnerApp } = await ok(
    sale,
    'owner',
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Ticket corner", whiteLabel: { brandName: "Corner" }) { id } }`,
    { o: sale.org },
  );
  appId = createPartnerApp.id;
  const { createApiKey } = await ok(
    sale,
    'owner',
    `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "shop", scopes: ["events:read"]) { secret } }`,
    { a: appId },
  );
  key = createApiKey.secret;
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
