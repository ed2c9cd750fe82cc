import { addMember, as, createOrganization, signUp, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
const people: Record<string, Account> = {};
const ids: Record<string, string> = {};
const memberships: Record<string, string> = {};

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const call = (who: string, query: string, variables?: Record<string, unknown>) =>
  as(platform, people[who]!)(query, variables).then((r) => r.body as Body);

const Q = {
  createVenue: `mutation($org: ID!, $slug: String!) { createVenue(input: { organizationId: $org, name: "Hall", slug: $slug, timeZone: "Europe/Paris" }) { id } }`,
  createEvent: `mutation($venue: ID!, $slug: String!) { createEvent(input: { venueId: $venue, title: "Gig", slug: $slug, startsAt: "2027-05-01T18:00:00Z", endsAt: "2027-05-01T23:00:00Z" }) { id } }`,
  createGate: `mutation($event: ID!, $name: String!) { createGate(input: { eventId: $event, name: $name, direction: BOTH }) { id } }`,
  // series of one event may not overlap: tests creating more than one give other times
  createSeries: `mutation($event: ID!, $gate: ID!, $from: DateTime = "2027-05-01T18:00:00Z", $to: DateTime = "2027-05-01T23:00:00Z") { createEventSeries(input: { eventId: $event, name: "Night", startsAt: $from, endsAt: $to, capacity: 100, gateIds: [$gate] }) { id } }`,
  transitionSeries: `mutation($id: ID!, $to: SeriesStatus!) { transitionEventSeries(id: $id, to: $to) { status } }`,
  createWristband: `mutation($event: ID!, $nfc: String!, $series: ID!) { createWristband(input: { eventId: $event, nfcId: $nfc, category: "GA", seriesIds: [$series] }) { id } }`,
  checkIn: `mutation($series: ID!, $gate: ID!, $nfc: String!) { checkIn(input: { seriesId: $series, gateId: $gate, nfcId: $nfc }) { allowed reason } }`,
  invite: `mutation($org: ID!, $email: String!, $role: Role!) { inviteMember(organizationId: $org, email: $email, role: $role) { token } }`,
  accept: `mutation($token: String!) { acceptInvitation(token: $token) { id role } }`,
  changeRole: `mutation($id: ID!, $role: Role!) { changeMemberRole(membershipId: $id, role: $role) { role } }`,
  remove: `mutation($id: ID!) { removeMember(membershipId: $id) }`,
};

let slugs = 0;
const slug = () => `s-${Date.now().toString(36)}-${slugs++}`;

// a platform, seven sign-ups (password hashing) and two organisations: about 50 s on a busy 2-core machine
beforeAll(async () => {
  platform = await startTestPlatform();
  for (const name of ['ownerA', 'adminA', 'managerA', 'memberA', 'viewerA', 'ownerB', 'outsider'])
    people[name] = await signUp(platform, name);
  ids.orgA = await createOrganization(platform, people.ownerA!, 'org-a');
  ids.orgB = await createOrganization(platform, people.ownerB!, 'org-b');
  for (const [name, role] of [
    ['adminA', 'ADMIN'],
    ['managerA', 'MANAGER'],
    ['memberA', 'MEMBER'],
    ['viewerA', 'VIEWER'],
  ] as const) {
    memberships[name] = await addMember(platform, people.ownerA!, ids.orgA, people[name]!, role);
  }
  ids.venueA = (await call('ownerA', Q.createVenue, { org: ids.orgA, slug: slug() })).data.createVenue.id;
  ids.eventA = (await call('ownerA', Q.createEvent, { venue: ids.venueA, slug: slug() })).data.createEvent.id;
  ids.gateA = (await call('ownerA', Q.createGate, { event: ids.eventA, name: 'Main' })).data.createGate.id;
  ids.seriesA = (await call('ownerA', Q.createSeries, { event: ids.eventA, gate: ids.gateA })).data.createEventSeries.id;
  for (const to of ['SCHEDULED', 'ACTIVE']) await call('ownerA', Q.transitionSeries, { id: ids.seriesA, to });
  await call('ownerA', Q.createWristband, { event: ids.eventA, nfc: 'A-1', series: ids.seriesA });
}, 150_000);
afterAll(() => platform?.stop());

describe('each role can do what its rank allows, and no more', () => {
  it.each([
    ['createVenue (manager and up)', 'managerA', 'memberA', () => [Q.createVenue, { org: ids.orgA, slug: slug() }]],
    ['createEvent (manager and up)', 'managerA', 'viewerA', () => [Q.createEvent, { venue: ids.venueA, slug: slug() }]],
    ['createGate (admin and up)', 'adminA', 'managerA', () => [Q.createGate, { event: ids.eventA, name: slug() }]],
    [
      'createEventSeries (manager and up)',
      'managerA',
      'memberA',
      () => [Q.createSeries, { event: ids.eventA, gate: ids.gateA, from: '2027-05-02T18:00:00Z', to: '2027-05-02T23:00:00Z' }],
    ],
    [
      'createWristband (manager and up)',
      'managerA',
      'memberA',
      () => [Q.createWristband, { event: ids.eventA, nfc: slug(), series: ids.seriesA }],
    ],
    ['checkIn (member and up)', 'memberA', 'viewerA', () => [Q.checkIn, { series: ids.seriesA, gate: ids.gateA, nfc: 'A-1' }]],
  ] as const)('%s', async (_action, allowed, forbidden, operation) => {
    const [query, variables] = operation() as [string, Record<string, unknown>];
    expect(codeOf(await call(allowed, query, variables))).toBe('OK');
    const refused = await call(forbidden, query, variables);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toMatch(/needs (manager|admin|member) rights/);
  });

  it('series transitions need an admin', async () => {
    const { data } = await call('managerA', Q.createSeries, {
      event: ids.eventA,
      gate: ids.gateA,
      from: '2027-05-03T18:00:00Z',
      to: '2027-05-03T23:00:00Z',
    });
    expect(codeOf(await call('managerA', Q.transitionSeries, { id: data.createEventSeries.id, to: 'SCHEDULED' }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await call('adminA', Q.transitionSeries, { id: data.createEventSeries.id, to: 'SCHEDULED' }))).toBe('OK');
  });

  it('viewers read the organisation: its draft events, series and members', async () => {
    const { data } = await call(
      'viewerA',
      `query($e: ID!, $o: ID!) { event(id: $e) { status series { name } gates { name } } organization(id: $o) { memberships { edges { node { role } } } } }`,
      {
        e: ids.eventA,
        o: ids.orgA,
      },
    );
    expect(data.event).toMatchObject({ status: 'DRAFT', gates: expect.arrayContaining([{ name: 'Main' }]) });
    expect(data.event.series.length).toBeGreaterThan(0);
    expect(data.organization.memberships.edges.map((e: { node: { role: string } }) => e.node.role).sort()).toEqual([
      'ADMIN',
      'MANAGER',
      'MEMBER',
      'OWNER',
      'VIEWER',
    ]);
  });
});

describe('managing members', () => {
  it('admins invite below admin only; managers do not invite', async () => {
    const email = `cand-${slug()}@example.com`;
    expect(codeOf(await call('adminA', Q.invite, { org: ids.orgA, email, role: 'MANAGER' }))).toBe('OK');
    expect(codeOf(await call('adminA', Q.invite, { org: ids.orgA, email, role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(await call('managerA', Q.invite, { org: ids.orgA, email, role: 'VIEWER' }))).toBe('FORBIDDEN');
  });

  it('an invitation is for its email only, is answered once, and expires', async () => {
    const newcomer = await signUp(platform, 'newcomer');
    const ticket = (await call('ownerA', Q.invite, { org: ids.orgA, email: newcomer.email, role: 'VIEWER' })).data.inviteMember
      .token;
    expect(codeOf(await call('outsider', Q.accept, { token: ticket }))).toBe('FORBIDDEN');
    expect(codeOf(await call('outsider', Q.accept, { token: 'not-a-token' }))).toBe('NOT_FOUND');
    expect((await as(platform, newcomer)(Q.accept, { token: ticket })).body.data).toEqual({
      acceptInvitation: { id: expect.any(String), role: 'VIEWER' },
    });
    expect(codeOf((await as(platform, newcomer)(Q.accept, { token: ticket })).body as Body)).toBe('INVITATION_CLOSED');

    const late = await signUp(platform, 'late');
    const lateTicket = (await call('ownerA', Q.invite, { org: ids.orgA, email: late.email, role: 'VIEWER' })).data.inviteMember
      .token;
    const users = platform.subgraphs.users!.db as { $executeRawUnsafe(sql: string, ...v: unknown[]): Promise<number> };
    await users.$executeRawUnsafe(
      `UPDATE "Invitation" SET "expiresAt" = now() - interval '1 minute' WHERE "id" = $1::uuid`,
      lateTicket.split('.')[0],
    );
    expect(codeOf((await as(platform, late)(Q.accept, { token: lateTicket })).body as Body)).toBe('INVITATION_EXPIRED');
  });

  it('only the invited user or an admin declines an invitation', async () => {
    const decline = `mutation($token: String!) { declineInvitation(token: $token) { state } }`;
    const invitee = await signUp(platform, 'invitee');
    const invite = async () =>
      (await call('ownerA', Q.invite, { org: ids.orgA, email: invitee.email, role: 'VIEWER' })).data.inviteMember.token;
    const first = await invite();
    expect(codeOf((await platform.request(decline, { token: first }, { token: null })).body as Body)).toBe('UNAUTHENTICATED');
    expect(codeOf(await call('outsider', decline, { token: first }))).toBe('FORBIDDEN');
    expect(codeOf(await call('managerA', decline, { token: first }))).toBe('FORBIDDEN');
    expect((await as(platform, invitee)(decline, { token: first })).body.data).toEqual({
      declineInvitation: { state: 'DECLINED' },
    });
    expect(codeOf((await as(platform, invitee)(decline, { token: first })).body as Body)).toBe('INVITATION_CLOSED');
    expect((await call('adminA', decline, { token: await invite() })).data).toEqual({ declineInvitation: { state: 'DECLINED' } });
  });

  it('admins change roles below admin; nobody demotes the last owner; ownership moves by transfer', async () => {
    const extra = await signUp(platform, 'extra');
    const membership = await addMember(platform, people.ownerA!, ids.orgA!, extra, 'MEMBER');
    expect((await call('adminA', Q.changeRole, { id: membership, role: 'MANAGER' })).data).toEqual({
      changeMemberRole: { role: 'MANAGER' },
    });
    expect(codeOf(await call('adminA', Q.changeRole, { id: membership, role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(await call('managerA', Q.changeRole, { id: membership, role: 'VIEWER' }))).toBe('FORBIDDEN');

    const ownerMembership = (
      await call('ownerA', `{ me { memberships { id role organization { id } } } }`)
    ).data.me.memberships.find((m: { organization: { id: string } }) => m.organization.id === ids.orgA).id;
    expect(codeOf(await call('ownerA', Q.changeRole, { id: ownerMembership, role: 'ADMIN' }))).toBe('LAST_OWNER');
    expect(codeOf(await call('ownerA', Q.remove, { id: ownerMembership }))).toBe('LAST_OWNER');

    // a member may leave on their own
    expect((await as(platform, extra)(Q.remove, { id: membership })).body.data).toEqual({ removeMember: true });

    const transferred = await call(
      'ownerA',
      `mutation($o: ID!, $to: ID!) { transferOwnership(organizationId: $o, toUserId: $to) { id } }`,
      { o: ids.orgA, to: people.adminA!.id },
    );
    expect(codeOf(transferred)).toBe('OK');
    const roles = (
      await call('adminA', `query($o: ID!) { organization(id: $o) { memberships { edges { node { role user { id } } } } } }`, {
        o: ids.orgA,
      })
    ).data.organization.memberships.edges.map((e: { node: unknown }) => e.node);
    expect(roles.find((m: { user: { id: string } }) => m.user.id === people.adminA!.id).role).toBe('OWNER');
    expect(roles.find((m: { user: { id: string } }) => m.user.id === people.ownerA!.id).role).toBe('ADMIN');
    // the gateway's cached memberships followed at once: the old owner is an admin now
    expect(
      codeOf(
        await call('ownerA', `mutation($o: ID!, $to: ID!) { transferOwnership(organizationId: $o, toUserId: $to) { id } }`, {
          o: ids.orgA,
          to: people.ownerA!.id,
        }),
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('one organisation never sees another', () => {
  it('through queries and entity references', async () => {
    const { data } = await call(
      'ownerB',
      `query($e: ID!, $o: ID!, $g: ID!, $s: ID!) {
      event(id: $e) { title } events(organizationId: $o) { totalCount edges { node { id } } }
      organization(id: $o) { name memberships { totalCount edges { node { role } } } venues { name } events { totalCount edges { node { id } } } }
      gate(id: $g) { name } eventSeries(id: $s) { name }
    }`,
      { e: ids.eventA, o: ids.orgA, g: ids.gateA, s: ids.seriesA },
    );
    expect(data).toEqual({
      event: null,
      events: { totalCount: 0, edges: [] },
      // name and venues are public; members and unpublished events are not
      organization: {
        name: expect.any(String),
        memberships: { totalCount: 0, edges: [] },
        venues: expect.arrayContaining([{ name: 'Hall' }]),
        events: { totalCount: 0, edges: [] },
      },
      gate: null,
      eventSeries: null,
    });
    // once published, the event is public — but its series and gates stay with its organisation
    await call('ownerA', `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: ids.eventA });
    const published = await call('ownerB', `query($e: ID!) { event(id: $e) { title series { name } gates { name } } }`, {
      e: ids.eventA,
    });
    expect(published.data).toEqual({ event: { title: 'Gig', series: [], gates: [] } });
  });

  it('through mutations', async () => {
    // another organisation's event, published or not, is as unknown as a missing one: same code, same words
    const draftA = (await call('ownerA', Q.createEvent, { venue: ids.venueA, slug: slug() })).data.createEvent.id;
    const missing = '00000000-0000-4000-8000-000000000000';
    const writes = [
      [Q.createGate, { name: 'Sneaky' }],
      [Q.createWristband, { nfc: slug(), series: ids.seriesA }],
      [Q.createSeries, { gate: ids.gateA }],
    ] as const;
    // a missing event is waited for (it may still be on the bus): ask for all three at once
    const unknown = await Promise.all(
      writes.map(([query, variables]) => call('ownerB', query, { ...variables, event: missing })),
    );
    for (const event of [ids.eventA, draftA]) {
      for (const [i, [query, variables]] of writes.entries()) {
        const refused = await call('ownerB', query, { ...variables, event });
        expect(codeOf(refused)).toBe('NOT_FOUND');
        expect(refused.errors![0]!.message.replace(event, missing)).toBe(unknown[i]!.errors![0]!.message);
        expect(refused.errors![0]!.extensions).toEqual(unknown[i]!.errors![0]!.extensions);
      }
    }
    expect(codeOf(await call('ownerB', Q.createVenue, { org: ids.orgA, slug: slug() }))).toBe('FORBIDDEN');
    expect(codeOf(await call('ownerB', Q.checkIn, { series: ids.seriesA, gate: ids.gateA, nfc: 'A-1' }))).toBe('NOT_FOUND');
    expect(codeOf(await call('ownerB', Q.transitionSeries, { id: ids.seriesA, to: 'COMPLETED' }))).toBe('NOT_FOUND');
    expect(codeOf(await call('ownerB', Q.invite, { org: ids.orgA, email: 'x@example.com', role: 'VIEWER' }))).toBe('FORBIDDEN');
    expect(codeOf(await call('ownerB', Q.changeRole, { id: memberships.viewerA, role: 'ADMIN' }))).toBe('NOT_FOUND');
  });

  it('through source attribution: only events the caller may read', async () => {
    const draftA = (await call('ownerA', Q.createEvent, { venue: ids.venueA, slug: slug() })).data.createEvent.id;
    const sourceB = (
      await call('ownerB', `mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`, {
        input: {
          organizationId: ids.orgB,
          name: 'B feed',
          kind: 'ICAL',
          url: `https://b.example.com/${slug()}.ics`,
          scheduleSeconds: 0,
        },
      })
    ).data.createSource.id;
    const attribute = (eventId: string) =>
      call('ownerB', `mutation($input: AttributeEventInput!) { attributeEvent(input: $input) { id } }`, {
        input: { sourceId: sourceB, eventId, externalId: slug() },
      });
    const refused = await attribute(draftA);
    expect(codeOf(refused)).toBe('NOT_FOUND');
    expect(refused.errors![0]!.extensions).toMatchObject({ field: 'eventId' });
    // a published public event is everyone's to attribute
    await call('ownerA', `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: draftA });
    const deadline = Date.now() + 5000;
    let accepted = await attribute(draftA);
    while (codeOf(accepted) !== 'OK' && Date.now() < deadline) accepted = await attribute(draftA);
    expect(accepted.data).toEqual({ attributeEvent: { id: sourceB } });
  });

  it('through subscriptions', async () => {
    const query = `subscription($s: ID!) { checkInRecorded(seriesId: $s) { allowed series { name } } }`;
    const insider = subscribe(platform.wsClient({ authorization: `Bearer ${people.memberA!.accessToken}` }), query, {
      s: ids.seriesA,
    });
    const stranger = subscribe(platform.wsClient({ authorization: `Bearer ${people.ownerB!.accessToken}` }), query, {
      s: ids.seriesA,
    });
    const deadline = Date.now() + 5000;
    while (platform.gateway.engine.upstreamCount() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    await call('memberA', Q.checkIn, { series: ids.seriesA, gate: ids.gateA, nfc: 'UNKNOWN' });
    expect((await insider.next(1)).data).toEqual({ checkInRecorded: { allowed: false, series: { name: 'Night' } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(stranger.results).toEqual([]);
  });

  it('anonymous callers cannot write and see only public data', async () => {
    const anon = await platform.request(Q.createVenue, { org: ids.orgA, slug: slug() }, { token: null });
    expect(codeOf(anon.body as Body)).toBe('UNAUTHENTICATED');
    const { body } = await platform.request(
      `query($o: ID!) { organization(id: $o) { memberships { totalCount edges { node { role } } } } }`,
      { o: ids.orgA },
      { token: null },
    );
    expect((body as Body).data).toEqual({ organization: { memberships: { totalCount: 0, edges: [] } } });
  });
});
