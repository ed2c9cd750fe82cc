import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import WebSocket from 'ws';
import {
  CheckInsDocument,
  createEventgraphClient,
  DevicesDocument,
  EventsDocument,
  EventWristbandsDocument,
  InvitationsDocument,
  MyFollowsDocument,
  OrganizationDocument,
  OrganizationEventsDocument,
  paginate,
  SourcesDocument,
  VenueDocument,
  type EventgraphClient,
} from '@eventgraph/sdk';
import { createDemoWorld } from './support/demo-data';
import { addPeopleAndScanners, FAR_VENUE } from './support/people-and-scanners';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * One paging convention for every list of the API (Relay connections with first/after, one PageInfo, totalCount),
 * checked on the schema itself, so a new list that pages otherwise fails here, and walked with the SDK's one
 * iterator across lists of every subgraph.
 */
let platform: TestPlatform;
let client: EventgraphClient;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let schema: GraphQLSchema;
/** a signed-up user following four things, with their own client */
let follower: EventgraphClient;

beforeAll(async () => {
  platform = await startTestPlatform();
  client = createEventgraphClient({ url: platform.gateway.url, webSocketImpl: WebSocket, credential: platform.devToken });
  world = await createDemoWorld(platform);
  // four more events at the venue (five in all), six more wristbands (seven), five scans, two more sources
  for (let day = 2; day <= 5; day++)
    await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: {
        venueId: world.venue.id,
        title: `Night ${day}`,
        slug: `night-${day}-${world.event.id.slice(0, 8)}`,
        startsAt: `2027-08-0${day}T18:00:00Z`,
        endsAt: `2027-08-0${day}T23:00:00Z`,
      },
    });
  for (let i = 0; i < 6; i++)
    await platform.data(`mutation($input: CreateWristbandInput!) { createWristband(input: $input) { id } }`, {
      input: {
        eventId: world.event.id,
        nfcId: `PAGE-${i}-${world.event.id.slice(0, 8)}`,
        category: 'ga',
        seriesIds: [world.series.id],
      },
    });
  for (let i = 0; i < 5; i++)
    await platform.request(`mutation($input: CheckInInput!) { checkIn(input: $input) { id } }`, {
      input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: `NO-SUCH-${i}`, direction: 'ENTRY' },
    });
  for (const name of ['Second listings', 'Third listings'])
    await platform.data(`mutation($input: CreateSourceInput!) { createSource(input: $input) { id } }`, {
      input: { name, kind: 'ICAL', url: `https://listings.example.com/${name.split(' ')[0]}.ics`, scheduleSeconds: 0 },
    });
  const { follower: account } = await addPeopleAndScanners(platform, world);
  follower = createEventgraphClient({ url: platform.gateway.url, webSocketImpl: WebSocket, credential: account.accessToken });
  const { body } = await platform.request(getIntrospectionQuery());
  schema = buildClientSchema(body.data as unknown as IntrospectionQuery);
});
afterAll(async () => {
  await client?.close();
  await follower?.close();
  await platform?.stop();
});

/** Every field of the API schema with its parent type's name. */
function allFields(): Array<{ parent: string; field: GraphQLField<unknown, unknown> }> {
  return Object.values(schema.getTypeMap()).flatMap((type) =>
    isObjectType(type) && !type.name.startsWith('__')
      ? Object.values(type.getFields()).map((field) => ({ parent: type.name, field }))
      : [],
  );
}

const typeText = (field: { type: unknown }) => String(field.type);

describe('the schema', () => {
  it('has one PageInfo and connections of one shape, each taking first (default 20) and after', () => {
    const pageInfo = schema.getType('PageInfo');
    expect(
      isObjectType(pageInfo) && Object.fromEntries(Object.values(pageInfo.getFields()).map((f) => [f.name, typeText(f)])),
    ).toEqual({
      hasNextPage: 'Boolean!',
      hasPreviousPage: 'Boolean!',
      startCursor: 'String',
      endCursor: 'String',
    });
    const typeNames = Object.keys(schema.getTypeMap());
    expect(typeNames.filter((name) => /PageInfo$|Page$/.test(name) && name !== 'PageInfo')).toEqual([]);

    const connections = allFields().filter(({ field }) => getNamedType(field.type).name.endsWith('Connection'));
    expect(connections.length).toBeGreaterThanOrEqual(15);
    for (const { parent, field } of connections) {
      const where = `${parent}.${field.name}`;
      const connection = getNullableType(field.type);
      expect([where, isObjectType(connection)]).toEqual([where, true]);
      if (!isObjectType(connection)) continue;
      const shape = Object.fromEntries(Object.values(connection.getFields()).map((f) => [f.name, typeText(f)]));
      const node = connection.name.replace(/Connection$/, '');
      // a list whose count may be an estimate says so (relayTypes' estimatedCount)
      const estimated = 'totalCountIsEstimate' in shape ? { totalCountIsEstimate: 'Boolean!' } : {};
      expect([where, shape]).toEqual([
        where,
        { edges: `[${node}Edge!]!`, pageInfo: 'PageInfo!', totalCount: 'Int!', ...estimated },
      ]);
      const edge = schema.getType(`${node}Edge`);
      expect(isObjectType(edge) && typeText(edge.getFields().cursor!)).toBe('String!');
      const args = Object.fromEntries(field.args.map((a) => [a.name, [typeText(a), a.defaultValue]]));
      expect([where, args.first, args.after]).toEqual([where, ['Int', 20], ['String', undefined]]);
    }
  });

  it('has no other list that pages: no first, last, before or limit on a plain list', () => {
    // trendingEvents is a ranking of the top `first` (at most 100), not a list to page through
    const paged = allFields().filter(
      ({ field }) =>
        isListType(getNullableType(field.type)) &&
        field.args.some((a) => ['first', 'last', 'before', 'after', 'limit'].includes(a.name)),
    );
    expect(paged.map(({ parent, field }) => `${parent}.${field.name}`)).toEqual(['Query.trendingEvents']);
  });
});

describe('one iterator', () => {
  /** every node of a list in pages of two, and in one page of up to 100 */
  async function bothWays<N>(walk: (pageSize: number) => AsyncIterable<N> & { all(): Promise<N[]> }, id: (node: N) => string) {
    const inTwos = (await walk(2).all()).map(id);
    const inOne = (await walk(100).all()).map(id);
    return { inTwos, inOne };
  }

  it.each([
    [
      'events of an organisation (events)',
      (size: number) => paginate(client, EventsDocument, { organizationId: world.org.id }, (d) => d.events, { pageSize: size }),
      5,
    ],
    [
      "an organisation's events (users → events)",
      (size: number) =>
        paginate(client, OrganizationEventsDocument, { organizationId: world.org.id }, (d) => d.organization?.events, {
          pageSize: size,
        }),
      5,
    ],
    [
      "a venue's events",
      (size: number) => paginate(client, VenueDocument, { id: world.venue.id }, (d) => d.venue?.events, { pageSize: size }),
      5,
    ],
    [
      "an event's wristbands (access)",
      (size: number) =>
        paginate(client, EventWristbandsDocument, { eventId: world.event.id }, (d) => d.wristbands, { pageSize: size }),
      7,
    ],
    [
      "a series' scan log (access)",
      (size: number) => paginate(client, CheckInsDocument, { seriesId: world.series.id }, (d) => d.checkIns, { pageSize: size }),
      5,
    ],
    ['sources (ingest)', (size: number) => paginate(client, SourcesDocument, {}, (d) => d.sources, { pageSize: size }), 3],
    [
      "an organisation's members (users)",
      (size: number) =>
        paginate(client, OrganizationDocument, { id: world.org.id }, (d) => d.organization?.memberships, { pageSize: size }),
      5,
    ],
    [
      "an organisation's invitations",
      (size: number) =>
        paginate(client, InvitationsDocument, { organizationId: world.org.id }, (d) => d.invitations, { pageSize: size }),
      3,
    ],
    [
      "an organisation's scanners",
      (size: number) => paginate(client, DevicesDocument, { organizationId: world.org.id }, (d) => d.devices, { pageSize: size }),
      3,
    ],
  ] as Array<[string, (size: number) => AsyncIterable<{ id: string }> & { all(): Promise<{ id: string }[]> }, number]>)(
    'walks %s page by page: the same nodes in the same order as one page',
    async (_what, walk, expected) => {
      const { inTwos, inOne } = await bothWays(walk, (n) => n.id);
      expect(inTwos).toEqual(inOne);
      expect(new Set(inOne).size).toBe(inOne.length);
      // sources are platform-wide: the platform may hold more than this test made
      if (_what.startsWith('sources')) expect(inOne.length).toBeGreaterThanOrEqual(expected);
      else expect(inOne.length).toBe(expected);
    },
  );

  it("walks a user's follows page by page (keyset on when, then on the target's id)", async () => {
    const walk = (size: number) => paginate(follower, MyFollowsDocument, {}, (d) => d.myFollows, { pageSize: size });
    const { inTwos, inOne } = await bothWays(walk, (f) => `${f.targetType}:${f.targetId}`);
    expect(inTwos).toEqual(inOne);
    expect(inOne.sort()).toEqual(
      [`ORGANIZATION:${world.org.id}`, `USER:${world.user.id}`, `VENUE:${world.venue.id}`, `VENUE:${FAR_VENUE}`].sort(),
    );
    const first = await follower.request(MyFollowsDocument, { first: 3 });
    expect([first.myFollows.totalCount, first.myFollows.edges.length, first.myFollows.pageInfo.hasNextPage]).toEqual([
      4,
      3,
      true,
    ]);
  });

  it('counts the whole list on every page, and pages hold still while rows arrive before the cursor', async () => {
    const pages = paginate(client, EventsDocument, { organizationId: world.org.id }, (d) => d.events, { pageSize: 2 }).pages();
    const first = (await pages.next()).value!;
    expect(first.connection.totalCount).toBe(5);
    expect(first.connection.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // an event starting before every other arrives between two pages
    await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: {
        venueId: world.venue.id,
        title: 'Early bird',
        slug: `early-bird-${world.event.id.slice(0, 8)}`,
        startsAt: '2027-01-01T18:00:00Z',
        endsAt: '2027-01-01T23:00:00Z',
      },
    });
    const rest: string[] = [];
    for (let page = await pages.next(); !page.done; page = await pages.next()) {
      expect(page.value.connection.pageInfo.hasPreviousPage).toBe(true);
      rest.push(...page.value.nodes.map((n) => n.title));
    }
    // none twice, none skipped: the newcomer starts before the cursor, so the pages after it are as they were
    expect([...first.nodes.map((n: { title: string }) => n.title), ...rest]).toEqual([
      'Summer Sound',
      'Night 2',
      'Night 3',
      'Night 4',
      'Night 5',
    ]);
    const again = await client.request(EventsDocument, { organizationId: world.org.id, first: 1 });
    expect([again.events.totalCount, again.events.edges[0]!.node.title]).toEqual([6, 'Early bird']);
  });
});

describe('bad paging input', () => {
  const LISTS = [
    ['events', `query($first: Int, $after: String) { events(first: $first, after: $after) { totalCount } }`],
    ['searchEvents', `query($first: Int, $after: String) { searchEvents(first: $first, after: $after) { totalCount } }`],
    ['sources', `query($first: Int, $after: String) { sources(first: $first, after: $after) { totalCount } }`],
    [
      'checkIns',
      `query($first: Int, $after: String, $s: ID!) { checkIns(seriesId: $s, first: $first, after: $after) { totalCount } }`,
    ],
    [
      'wristbands',
      `query($first: Int, $after: String, $e: ID!) { wristbands(eventId: $e, first: $first, after: $after) { totalCount } }`,
    ],
    [
      'Organization.memberships',
      `query($first: Int, $after: String, $o: ID!) { organization(id: $o) { memberships(first: $first, after: $after) { totalCount } } }`,
    ],
    [
      'invitations',
      `query($first: Int, $after: String, $o: ID!) { invitations(organizationId: $o, first: $first, after: $after) { totalCount } }`,
    ],
    [
      'devices',
      `query($first: Int, $after: String, $o: ID!) { devices(organizationId: $o, first: $first, after: $after) { totalCount } }`,
    ],
  ] as const;

  it.each(LISTS)(
    '%s: first outside 1..100 and an after that is no cursor of the list are BAD_USER_INPUT',
    async (_name, query) => {
      const ids = { s: world.series.id, e: world.event.id, o: world.org.id };
      for (const [variables, field] of [
        [{ first: 0 }, 'first'],
        [{ first: 101 }, 'first'],
        [{ after: 'bm90LWEtY3Vyc29y' }, 'after'],
        [{ after: 'not a cursor' }, 'after'],
      ] as const) {
        const { body } = await platform.request(query, { ...ids, ...variables });
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(JSON.stringify(body)).not.toMatch(/stack|SELECT|prisma/i);
      }
    },
  );

  it("refuses one list's cursor in another order (a search by start, continued by distance)", async () => {
    const byStart = await platform.data(`{ searchEvents(first: 1, filter: { statuses: [DRAFT] }) { pageInfo { endCursor } } }`);
    expect(byStart.searchEvents.pageInfo.endCursor).toEqual(expect.any(String));
    const { body } = await platform.request(
      `query($after: String) { searchEvents(sort: DISTANCE, filter: { near: { latitude: 52.5, longitude: 13.4, radiusKm: 50 } }, after: $after) { totalCount } }`,
      { after: byStart.searchEvents.pageInfo.endCursor },
    );
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
