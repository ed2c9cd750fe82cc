import { as, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';
import { eventOnSale, person, until } from './support/ticket-sales';

/**
 * "Delete my account" (issue 15) through the gateway: the account goes in users at once (sessions end, log-in
 * fails), `user.deleted` reaches events, access and ingest over the bus, each erases or anonymises what it
 * holds about the user and confirms, and the receipt (readable without sign-in) lists all four. Another user's
 * data stays untouched. CI runs it on PGlite and on PostgreSQL with NATS.
 */
let platform: TestPlatform;
let owner: Account;
let leaver: Account;
let bystander: Account;
const ids = {} as {
  org: string;
  event: string;
  venue: string;
  booking: string;
  ownEvent: string;
  lastType: string;
  partnerApp: string;
};

const Q = {
  delete: `mutation($confirm: String!) { deleteMyAccount(confirm: $confirm) {
    id requestedAt complete completedAt pendingSubgraphs confirmations { subgraph confirmedAt erased { kind count } } } }`,
  receipt: `query($id: ID!) { erasureReceipt(id: $id) {
    id complete completedAt pendingSubgraphs confirmations { subgraph confirmedAt erased { kind count } } } }`,
};

async function ok(account: Account, query: string, variables: Record<string, unknown> = {}) {
  const { body } = await as(platform, account)(query, variables);
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, any>;
}
const rows = (subgraph: string, sql: string, params: unknown[]) =>
  platform.subgraphs[subgraph]!.sql.query<Record<string, any>>(sql, params);

/** What a user leaves in every subgraph: an RSVP, a follow, notification preferences, a saved search, an own event, a venue report, a booking. */
async function leaveTraces(user: Account) {
  await until(
    'the event reaching users',
    async () => (await rows('users', `SELECT 1 FROM "KnownEvent" WHERE "eventId" = $1::uuid`, [ids.event])).length === 1,
  );
  await ok(user, `mutation($e: ID!) { rsvp(eventId: $e, status: GOING) { going } }`, { e: ids.event });
  await ok(user, `mutation($t: ID!) { follow(targetType: USER, targetId: $t) { targetId } }`, { t: owner.id });
  await ok(user, `mutation { setNotificationPreferences(input: { keywords: ["jazz"] }) { dailyCap } }`);
  await ok(user, `mutation($f: EventSearchFilter!) { saveSearch(name: "jazz", filter: $f) { id } }`, { f: { text: 'jazz' } });
  const { createMyEvent } = await ok(user, `mutation($i: CreateMyEventInput!) { createMyEvent(input: $i) { id } }`, {
    i: {
      title: 'Picnic',
      slug: `picnic-${Date.now().toString(36)}`,
      startsAt: '2027-06-01T10:00:00Z',
      endsAt: '2027-06-01T12:00:00Z',
      timeZone: 'Europe/Berlin',
      locationName: "Anna's garden",
    },
  });
  await ok(user, `mutation($v: ID!) { reportVenueStatus(venueId: $v, input: { open: true, crowdLevel: BUSY }) { id } }`, {
    v: ids.venue,
  });
  const { createTicketType } = await ok(owner, `mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`, {
    i: {
      eventId: ids.event,
      name: `GA ${user.id.slice(0, 6)}`,
      priceMinor: 2500,
      currency: 'eur',
      quantity: 10,
      maxPerOrder: 4,
      categories: ['ga'],
    },
  });
  const { createHold } = await ok(user, `mutation($i: CreateHoldInput!) { createHold(input: $i) { id } }`, {
    i: { eventId: ids.event, items: [{ ticketTypeId: createTicketType.id, quantity: 2 }] },
  });
  const { confirmHold } = await ok(user, `mutation($h: ID!) { confirmHold(holdId: $h, clientKey: "k1") { id } }`, {
    h: createHold.id,
  });
  return { ownEvent: createMyEvent.id as string, booking: confirmHold.id as string };
}

beforeAll(async () => {
  platform = await startTestPlatform();
  owner = await person(platform, 'owner');
  ids.org = (
    await platform.data(`mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`, {
      input: { name: 'privacy', slug: `privacy-${Date.now().toString(36)}`, ownerId: owner.id },
    })
  ).createOrganization.id;
  ids.event = await eventOnSale(platform, (q, v) => ok(owner, q, v), ids.org, 100);
  ids.venue = (await ok(owner, `query($id: ID!) { event(id: $id) { venue { id } } }`, { id: ids.event })).event.venue.id;
  leaver = await signUp(platform, 'leaver');
  bystander = await signUp(platform, 'bystander');
  const left = await leaveTraces(leaver);
  Object.assign(ids, left);
  await leaveTraces(bystander);
  // a type sold out to the bystander, with the leaver waiting in its line
  const { createTicketType: last } = await ok(
    owner,
    `mutation($i: CreateTicketTypeInput!) { createTicketType(input: $i) { id } }`,
    {
      i: {
        eventId: ids.event,
        name: 'Last one',
        priceMinor: 900,
        currency: 'eur',
        quantity: 1,
        maxPerOrder: 1,
        categories: ['ga'],
      },
    },
  );
  ids.lastType = last.id;
  await ok(bystander, `mutation($i: CreateHoldInput!) { createHold(input: $i) { id } }`, {
    i: { eventId: ids.event, items: [{ ticketTypeId: last.id, quantity: 1 }] },
  });
  await ok(leaver, `mutation($t: ID!) { joinWaitlist(ticketTypeId: $t, quantity: 1) { status } }`, { t: last.id });
  // an imported ticket naming the leaver by address, and a moderator's split rule by them (ingest has no
  // moderation API for plain users, so the rule is written as a moderator's would be)
  await ok(
    owner,
    `mutation($e: ID!, $d: String!) { importTickets(eventId: $e, source: "tix", format: CSV, data: $d) { committed } }`,
    {
      e: ids.event,
      d: `external_id,category,holder_name,holder_email\nX-1,GA,Lea Ver,${leaver.email.toUpperCase()}\nX-2,GA,By Stander,${bystander.email}\n`,
    },
  );
  // the leaver lets a partner app of the organisation buy tickets for them
  const { createPartnerApp } = await ok(
    owner,
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Box office", whiteLabel: { brandName: "Box" }) { id } }`,
    { o: ids.org },
  );
  ids.partnerApp = createPartnerApp.id;
  await ok(leaver, `mutation($a: ID!) { grantPartnerApp(partnerAppId: $a, scopes: [TICKETS_BUY]) { scopes } }`, {
    a: ids.partnerApp,
  });
  for (const actor of [leaver, bystander])
    await platform.subgraphs.ingest!.sql.query(
      `INSERT INTO "MatchRule" ("sourceId", "externalId", "canonicalEventId", "kind", "actorId") VALUES (gen_random_uuid(), 'x', gen_random_uuid(), 'FORBID', $1::uuid)`,
      [actor.id],
    );
}, 120_000);

afterAll(() => platform?.stop());

describe('exportMyData', () => {
  const EXPORT = `{ exportMyData { userId generatedAt users events access ingest } }`;

  it("gathers the caller's data from every subgraph, and nothing of anyone else's", async () => {
    const { exportMyData: doc } = await ok(leaver, EXPORT);
    expect(doc.userId).toBe(leaver.id);
    expect(doc.users.account).toMatchObject({ id: leaver.id, email: leaver.email, displayName: 'leaver' });
    expect(doc.users.rsvps).toEqual([expect.objectContaining({ eventId: ids.event, status: 'GOING' })]);
    expect(doc.users.follows).toEqual([expect.objectContaining({ targetType: 'USER', targetId: owner.id })]);
    expect(doc.users.notificationPreferences).toMatchObject({ keywords: ['jazz'] });
    expect(doc.users.sessions.length).toBeGreaterThan(0);
    expect(doc.users.notificationDeliveries).toEqual([]);
    expect(doc.users.pushSubscriptions).toEqual([]);
    expect(doc.users.partnerGrants).toEqual([
      expect.objectContaining({ partnerAppId: ids.partnerApp, partnerAppName: 'Box office', scopes: ['TICKETS_BUY'] }),
    ]);
    expect(doc.events.ownEvents).toEqual([expect.objectContaining({ id: ids.ownEvent, locationName: "Anna's garden" })]);
    expect(doc.events.savedSearches).toEqual([expect.objectContaining({ name: 'jazz', filter: { text: 'jazz' } })]);
    expect(doc.events.venueReports).toEqual([expect.objectContaining({ venueId: ids.venue, crowdLevel: 'BUSY' })]);
    expect(doc.events.followsUsers).toEqual([owner.id]);
    expect(doc.access.bookings).toEqual([expect.objectContaining({ id: ids.booking, status: 'CONFIRMED' })]);
    expect(doc.access.bookings[0].tickets).toHaveLength(2);
    expect(doc.access.holds).toHaveLength(1);
    expect(doc.ingest.matchRules).toEqual([expect.objectContaining({ kind: 'FORBID' })]);
    // nothing of the bystander, nor any secret hash
    const text = JSON.stringify(doc);
    expect(text).not.toContain(bystander.id);
    expect(text).not.toContain(bystander.email);
    expect(text).not.toMatch(/secretHash|passwordHash/);
  });

  it('is for signed-in users only', async () => {
    const anonymous = (await platform.request(EXPORT, {}, { token: null })).body;
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const service = (await platform.request(EXPORT)).body;
    expect(service.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('deleteMyAccount', () => {
  it('is refused without the right confirmation, and for an organisation’s last owner, changing nothing', async () => {
    const wrong = (await as(platform, leaver)(Q.delete, { confirm: 'someone@example.com' })).body;
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'confirm' });
    const anonymous = (await platform.request(Q.delete, { confirm: leaver.email }, { token: null })).body;
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const last = (await as(platform, owner)(Q.delete, { confirm: 'x@example.com' })).body;
    expect(last.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ownerEmail = (await rows('users', `SELECT email FROM "User" WHERE id = $1::uuid`, [owner.id]))[0]!.email;
    const lastOwner = (await as(platform, owner)(Q.delete, { confirm: ownerEmail })).body;
    expect(lastOwner.errors?.[0]?.extensions).toMatchObject({ code: 'LAST_OWNER', organizationIds: [ids.org] });
    expect(await rows('users', `SELECT 1 FROM "User" WHERE id = ANY($1::uuid[])`, [[owner.id, leaver.id]])).toHaveLength(2);
    expect(await rows('users', `SELECT 1 FROM "ErasureReceipt"`, [])).toHaveLength(0);
  });

  it('erases the account in every subgraph and confirms each on a receipt anyone with its id may read', async () => {
    const { deleteMyAccount: receipt } = await ok(leaver, Q.delete, { confirm: ` ${leaver.email.toUpperCase()} ` });
    expect(receipt.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(receipt.confirmations.map((c: { subgraph: string }) => c.subgraph)).toEqual(['users']);
    expect(receipt.pendingSubgraphs).toEqual(['events', 'access', 'ingest']);

    // the session ends at once: the access token, the refresh token and the password all stop working
    const me = (await as(platform, leaver)(`{ me { id } }`)).body;
    expect(me.data?.me ?? null).toBeNull();
    const refreshed = (
      await platform.request(
        `mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }`,
        { t: leaver.refreshToken },
        { token: null },
      )
    ).body;
    expect(refreshed.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const login = (
      await platform.request(
        `mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }`,
        { e: leaver.email, p: leaver.password },
        { token: null },
      )
    ).body;
    expect(login.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    let read: Record<string, any> = {};
    await until(
      'every subgraph confirming',
      async () => {
        read = (await platform.request<Record<string, any>>(Q.receipt, { id: receipt.id }, { token: null })).body.data!
          .erasureReceipt;
        return read.complete;
      },
      20_000,
    );
    expect(read.pendingSubgraphs).toEqual([]);
    expect(new Date(read.completedAt).getTime()).toBeGreaterThanOrEqual(new Date(receipt.requestedAt).getTime());
    const erased = Object.fromEntries(
      read.confirmations.map((c: { subgraph: string; erased: { kind: string; count: number }[] }) => [
        c.subgraph,
        Object.fromEntries(c.erased.map((e) => [e.kind, e.count])),
      ]),
    );
    expect(erased.users).toMatchObject({ accounts: 1, rsvps: 1, follows: 1, notificationPreferences: 1, partnerGrants: 1 });
    expect(erased.events).toMatchObject({ ownEventsDeleted: 1, savedSearches: 1, venueStatusReports: 1, follows: 1 });
    expect(erased.access).toMatchObject({ bookings: 1, holds: 1, ticketHolders: 1, waitlistLeft: 1, waitlistEntries: 1 });
    expect(erased.ingest).toMatchObject({ matchRules: 1 });

    // nothing of the leaver remains where it named them; the bystander's data is untouched
    const u = [leaver.id, bystander.id];
    const count = async (subgraph: string, sql: string, params: unknown[] = [u]) =>
      (await rows(subgraph, sql, params)).map((r) => Object.values(r)[0]);
    expect(await count('users', `SELECT id FROM "User" WHERE id = ANY($1::uuid[])`)).toEqual([bystander.id]);
    expect(await count('users', `SELECT "userId" FROM "Rsvp" WHERE "userId" = ANY($1::uuid[])`)).toEqual([bystander.id]);
    expect(await count('users', `SELECT "followerId" FROM "Follow" WHERE "followerId" = ANY($1::uuid[])`)).toEqual([
      bystander.id,
    ]);
    expect(await count('users', `SELECT "userId" FROM "NotificationPreference" WHERE "userId" = ANY($1::uuid[])`)).toEqual([
      bystander.id,
    ]);
    expect(await count('events', `SELECT "userId" FROM "SavedSearch" WHERE "userId" = ANY($1::uuid[])`)).toEqual([bystander.id]);
    expect(await count('events', `SELECT "ownerUserId" FROM "Event" WHERE "ownerUserId" = ANY($1::uuid[])`)).toEqual([
      bystander.id,
    ]);
    expect(await count('events', `SELECT "userId" FROM "VenueStatusReport" WHERE "userId" = ANY($1::uuid[])`)).toEqual([
      bystander.id,
    ]);
    expect(await count('events', `SELECT "followerId" FROM "UserFollow" WHERE "followerId" = ANY($1::uuid[])`)).toEqual([
      bystander.id,
    ]);
    expect(await count('ingest', `SELECT "actorId" FROM "MatchRule" WHERE "actorId" = ANY($1::uuid[])`)).toEqual([bystander.id]);
    // the organisation keeps its sale, without the person
    const [booking] = await rows('access', `SELECT "buyerKind", "buyerId", status FROM "Booking" WHERE id = $1::uuid`, [
      ids.booking,
    ]);
    expect(booking).toMatchObject({ buyerKind: 'user', buyerId: `erased:${receipt.id}`, status: 'CONFIRMED' });
    expect(await count('access', `SELECT "buyerId" FROM "Booking" WHERE "buyerId" = ANY($1::text[])`)).toEqual([bystander.id]);
    const holders = await rows(
      'access',
      `SELECT "externalId", "holderName", "holderEmail" FROM "Ticket" WHERE "externalId" LIKE 'X-%' ORDER BY 1`,
      [],
    );
    expect(holders).toEqual([
      { externalId: 'X-1', holderName: null, holderEmail: null },
      { externalId: 'X-2', holderName: 'By Stander', holderEmail: bystander.email },
    ]);
    // out of the line: no one waits behind them
    const [line] = await rows('access', `SELECT waiting FROM "TicketType" WHERE id = $1::uuid`, [ids.lastType]);
    expect(line).toEqual({ waiting: 0 });
    const entries = await rows('access', `SELECT status, "buyerId" FROM "WaitlistEntry" WHERE "ticketTypeId" = $1::uuid`, [
      ids.lastType,
    ]);
    expect(entries).toEqual([{ status: 'LEFT', buyerId: `erased:${receipt.id}` }]);
    // the leaver's own event is gone from the API too, the RSVP count with it
    const gone = (await platform.request(`query($id: ID!) { event(id: $id) { id } }`, { id: ids.ownEvent })).body;
    expect(gone.data?.event ?? null).toBeNull();
    await until('the RSVP count dropping', async () => {
      const [row] = await rows('events', `SELECT "goingCount" FROM "Event" WHERE id = $1::uuid`, [ids.event]);
      return row?.goingCount === 1;
    });
  });

  it('answers a receipt id that does not exist with null, and a malformed one with BAD_USER_INPUT', async () => {
    const unknown = (await platform.request(Q.receipt, { id: '00000000-0000-4000-8000-000000000000' }, { token: null })).body;
    expect(unknown.data?.erasureReceipt).toBeNull();
    const bad = (await platform.request(Q.receipt, { id: 'nope' }, { token: null })).body;
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
