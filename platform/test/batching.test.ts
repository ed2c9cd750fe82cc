import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let organizationId: string;

beforeAll(async () => {
  // The webhook worker's idle poll would add a users statement to any measurement it lands in; it reads its
  // settings from the process environment once, at start.
  const poll = process.env.WEBHOOK_POLL_INTERVAL_MS;
  process.env.WEBHOOK_POLL_INTERVAL_MS = '600000';
  try {
    platform = await startTestPlatform();
  } finally {
    if (poll === undefined) delete process.env.WEBHOOK_POLL_INTERVAL_MS;
    else process.env.WEBHOOK_POLL_INTERVAL_MS = poll;
  }
  const { createUser } = await platform.data(
    `mutation { createUser(input: { email: "batch@example.com", displayName: "Batch" }) { id } }`,
  );
  organizationId = (
    await platform.data(`mutation($u: ID!) { createOrganization(input: { name: "Batch", slug: "batch", ownerId: $u }) { id } }`, {
      u: createUser.id,
    })
  ).createOrganization.id;
  const venues: string[] = [];
  for (let v = 0; v < 10; v++) {
    const input = { organizationId, name: `Stage ${v}`, slug: `stage-${v}`, timeZone: 'Europe/Berlin' };
    venues.push(
      (await platform.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, { input })).createVenue
        .id,
    );
  }
  for (let i = 0; i < 100; i++) {
    const input = {
      venueId: venues[i % 10],
      title: `Set ${i}`,
      slug: `set-${i}`,
      startsAt: `2027-07-01T${String(10 + (i % 12)).padStart(2, '0')}:00:00Z`,
      endsAt: '2027-07-02T02:00:00Z',
    };
    await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, { input });
  }
});
afterAll(() => platform?.stop());

/**
 * Statements each subgraph's database ran for `run`: the least over a few runs, since the outbox relays
 * poll in the background and may add a statement to any one measurement.
 */
async function statementsDuring(run: () => Promise<unknown>, runs = 5): Promise<Record<string, number>> {
  let least: Record<string, number> | undefined;
  for (let i = 0; i < runs; i++) {
    const before = Object.fromEntries(Object.entries(platform.subgraphs).map(([name, s]) => [name, s.queries.statements]));
    await run();
    const spent = Object.fromEntries(
      Object.entries(platform.subgraphs).map(([name, s]) => [name, s.queries.statements - before[name]!]),
    );
    least = least ? Object.fromEntries(Object.entries(spent).map(([name, n]) => [name, Math.min(n, least![name]!)])) : spent;
  }
  return least!;
}

it('a page of events with venues, organisers and series counts costs the same few queries whatever its size', async () => {
  const page = (first: number) => () =>
    platform.data(
      `query($o: ID!, $first: Int!) { events(organizationId: $o, first: $first) { edges { node { title venue { name city } organization { name } seriesCount } } } }`,
      {
        o: organizationId,
        first,
      },
    );
  const ten = await statementsDuring(page(10));
  const hundred = await statementsDuring(page(100));
  expect(hundred).toEqual(ten);
  // events: the page and its venues in one query each; users: the organisations of the page in one
  expect(hundred.events).toBeLessThanOrEqual(2);
  expect(hundred.users).toBeLessThanOrEqual(1);
  expect(hundred.access).toBeLessThanOrEqual(1);
  const data = await page(100)();
  expect(data.events.edges).toHaveLength(100);
  expect(new Set(data.events.edges.map((e: { node: { venue: { name: string } } }) => e.node.venue.name)).size).toBe(10);
});

it('serves hot events from a cache that is never stale once a change has answered', async () => {
  const { events } = await platform.data(`query($o: ID!) { events(organizationId: $o, first: 1) { edges { node { id } } } }`, {
    o: organizationId,
  });
  const id = events.edges[0].node.id as string;
  const read = () => platform.data(`query($id: ID!) { event(id: $id) { title sequence } }`, { id });
  await read();
  const cached = await statementsDuring(read);
  expect(cached.events).toBe(0);
  await platform.data(`mutation($id: ID!) { updateEvent(id: $id, input: { title: "Renamed" }) { id } }`, { id });
  expect((await read()).event).toEqual({ title: 'Renamed', sequence: 1 });
});
