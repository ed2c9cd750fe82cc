import { createDemoWorld } from './support/demo-data';
import { as, createOrganization, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let other: Awaited<ReturnType<typeof createDemoWorld>>;
let member: Account;
let memberOrg: string;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const dev = (query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables).then((r) => r.body as Body);
const anonymous = (query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables, { token: null }).then((r) => r.body as Body);
const asMember = (query: string, variables?: Record<string, unknown>) =>
  as(platform, member)(query, variables).then((r) => r.body as Body);

const SEARCH = `query($filter: EventSearchFilter, $sort: EventSort, $first: Int, $after: String) {
  searchEvents(filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor distanceKm rank node { id title } }
  }
}`;
/** anonymous search; returns the titles in order (and the raw connection) */
async function search(variables: Record<string, unknown>, call = anonymous) {
  const body = await call(SEARCH, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const connection = body.data.searchEvents;
  return { titles: connection.edges.map((e: any) => e.node.title) as string[], connection };
}

const ids: Record<string, string> = {};
let venues: { berlin: string; hamburg: string; munich: string };
const tag = Math.random().toString(36).slice(2, 8);

async function venue(organizationId: string, name: string, city: string, latitude: number, longitude: number, call = dev) {
  const body = await call(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
    input: {
      organizationId,
      name,
      slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${tag}`,
      timeZone: 'Europe/Berlin',
      city,
      latitude,
      longitude,
    },
  });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.createVenue.id as string;
}

async function event(key: string, venueId: string, input: Record<string, unknown>, publish = true, call = dev) {
  const body = await call(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: { venueId, slug: `${key}-${tag}`, ...input },
  });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  const id = body.data.createEvent.id as string;
  if (publish) {
    const published = await call(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id });
    if (published.errors) throw new Error(JSON.stringify(published.errors));
  }
  ids[key] = id;
  return id;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  other = await createDemoWorld(platform);
  venues = {
    berlin: await venue(world.org.id, 'Kesselhaus', 'Berlin', 52.5386, 13.4124),
    hamburg: await venue(world.org.id, 'Elbphilharmonie', 'Hamburg', 53.5413, 9.9841),
    munich: await venue(world.org.id, 'Olympiahalle', 'Munich', 48.1749, 11.5562),
  };
  await event('jazz', venues.berlin, {
    title: 'Jazz Night',
    startsAt: '2027-06-01T18:00:00Z',
    endsAt: '2027-06-01T22:00:00Z',
    categories: ['Jazz', 'Music'],
  });
  await event('rock', venues.hamburg, {
    title: 'Rock Festival',
    startsAt: '2027-06-02T10:00:00Z',
    endsAt: '2027-06-04T21:00:00Z',
    categories: ['Rock'],
    costType: 'PAID',
    priceMin: 4500,
    priceMax: 9000,
    currency: 'EUR',
  });
  await event('brunch', venues.hamburg, {
    title: 'Sunday Brunch',
    startsAt: '2027-06-06T07:00:00Z',
    endsAt: '2027-06-06T10:00:00Z',
    categories: ['Food', 'jazz'],
    description: '<p>Smooth <strong>saxophone</strong> &amp; pancakes</p>',
  });
  await event('opera', venues.munich, {
    title: 'Opera Gala',
    startsAt: '2027-06-10T17:00:00Z',
    endsAt: '2027-06-10T21:00:00Z',
    categories: ['Classical'],
    costType: 'DONATION',
  });
  await event(
    'draft',
    venues.berlin,
    { title: 'Jazz Draft', startsAt: '2027-06-03T18:00:00Z', endsAt: '2027-06-03T20:00:00Z' },
    false,
  );
  await event('private', venues.berlin, {
    title: 'Private Jazz',
    startsAt: '2027-06-03T18:00:00Z',
    endsAt: '2027-06-03T20:00:00Z',
    visibility: 'PRIVATE',
  });
  await event(
    'elsewhere',
    other.venue.id,
    { title: 'Jazz Draft Elsewhere', startsAt: '2027-06-03T18:00:00Z', endsAt: '2027-06-03T20:00:00Z' },
    false,
  );

  member = await signUp(platform, 'searcher');
  memberOrg = await createOrganization(platform, member, 'searchers');
  const own = await venue(memberOrg, 'Member Hall', 'Berlin', 52.5, 13.4, asMember);
  await event(
    'mine',
    own,
    { title: 'Members Jazz Draft', startsAt: '2027-06-03T18:00:00Z', endsAt: '2027-06-03T20:00:00Z' },
    false,
    asMember,
  );
}, 60_000);
afterAll(() => platform?.stop());

const inWorld = (filter: Record<string, unknown> = {}) => ({ filter: { organizationId: world.org.id, ...filter } });

describe('searchEvents filters', () => {
  it('by keyword over title, categories and the description without its HTML', async () => {
    expect((await search(inWorld({ text: 'jazz' }))).titles).toEqual(['Jazz Night', 'Sunday Brunch']);
    expect((await search(inWorld({ text: 'saxophone' }))).titles).toEqual(['Sunday Brunch']);
    expect((await search(inWorld({ text: 'strong' }))).titles).toEqual([]);
    expect((await search(inWorld({ text: 'jazz -night' }))).titles).toEqual(['Sunday Brunch']);
  });

  it('by the venue name and city', async () => {
    expect((await search(inWorld({ text: 'hamburg' }))).titles).toEqual(['Rock Festival', 'Sunday Brunch']);
    expect((await search(inWorld({ text: 'Olympiahalle' }))).titles).toEqual(['Opera Gala']);
  });

  it('by date range: events overlapping it', async () => {
    expect((await search(inWorld({ from: '2027-06-03T00:00:00Z', to: '2027-06-07T00:00:00Z' }))).titles).toEqual([
      'Rock Festival',
      'Sunday Brunch',
    ]);
    expect((await search(inWorld({ to: '2027-06-01T18:00:00Z' }))).titles).toEqual([]);
  });

  it('by local days in a time zone', async () => {
    // 2027-06-01 in Berlin starts 2027-05-31T22:00Z; Jazz Night (18:00Z) is on it, the festival starts the next day
    expect((await search(inWorld({ fromDate: '2027-06-01', toDate: '2027-06-01', timeZone: 'Europe/Berlin' }))).titles).toEqual([
      'Jazz Night',
    ]);
    // 2027-06-06 in Los Angeles starts 07:00Z: the brunch (07:00Z–10:00Z) is on it
    expect(
      (await search(inWorld({ fromDate: '2027-06-06', toDate: '2027-06-06', timeZone: 'America/Los_Angeles' }))).titles,
    ).toEqual(['Sunday Brunch']);
    expect(
      (await search(inWorld({ fromDate: '2027-06-06', toDate: '2027-06-06', timeZone: 'Pacific/Kiritimati' }))).titles,
    ).toEqual(['Sunday Brunch']);
  });

  it('by categories (any of), case-insensitively', async () => {
    expect((await search(inWorld({ categories: ['ROCK', 'classical'] }))).titles).toEqual(['Rock Festival', 'Opera Gala']);
  });

  it('by cost', async () => {
    expect((await search(inWorld({ cost: 'PAID' }))).titles).toEqual(['Rock Festival']);
    expect((await search(inWorld({ cost: 'FREE' }))).titles).toEqual(['Jazz Night', 'Sunday Brunch', 'Opera Gala']);
    expect((await search(inWorld({ cost: 'ANY' }))).titles).toHaveLength(4);
  });

  it('by venue', async () => {
    expect((await search(inWorld({ venueId: venues.hamburg }))).titles).toEqual(['Rock Festival', 'Sunday Brunch']);
  });

  it('by radius around a point, returning the distance', async () => {
    const near = { latitude: 52.52, longitude: 13.405, radiusKm: 300 }; // Berlin Mitte: Hamburg is ~255 km away, Munich ~505 km
    const { connection } = await search({ ...inWorld({ near }), sort: 'DISTANCE' });
    expect(connection.edges.map((e: any) => e.node.title).sort()).toEqual(['Jazz Night', 'Rock Festival', 'Sunday Brunch']);
    expect(connection.edges[0].node.title).toBe('Jazz Night');
    // the two Hamburg events are equally far: then by id
    expect(connection.edges[1].distanceKm).toBe(connection.edges[2].distanceKm);
    expect(connection.edges[1].node.id < connection.edges[2].node.id).toBe(true);
    expect(connection.edges[0].distanceKm).toBeGreaterThan(1.5);
    expect(connection.edges[0].distanceKm).toBeLessThan(2.5);
    expect(connection.edges[1].distanceKm).toBeGreaterThan(240);
    expect(connection.edges[1].distanceKm).toBeLessThan(270);
    expect((await search(inWorld({ near: { ...near, radiusKm: 10 } }))).titles).toEqual(['Jazz Night']);
    // a point below float8's normal range is the equator, not an underflow in the distance arithmetic
    expect((await search(inWorld({ near: { latitude: 5e-324, longitude: 13.405, radiusKm: 5 } }))).titles).toEqual([]);
  });

  it('by status, for the organisation only', async () => {
    expect((await search(inWorld({ statuses: ['DRAFT'] }))).titles).toEqual([]);
    expect((await search(inWorld({ statuses: ['DRAFT'] }), dev)).titles).toEqual(['Jazz Draft', 'Summer Sound']); // the demo world's draft
  });
});

describe('searchEvents visibility', () => {
  it('shows strangers PUBLIC published events only, never drafts or private events', async () => {
    const { titles } = await search({ filter: { text: 'jazz', statuses: ['DRAFT', 'PUBLISHED'] } });
    expect(titles).toEqual(expect.arrayContaining(['Jazz Night', 'Sunday Brunch']));
    expect(titles).not.toContain('Jazz Draft');
    expect(titles).not.toContain('Private Jazz');
    expect(titles).not.toContain('Jazz Draft Elsewhere');
    expect(titles).not.toContain('Members Jazz Draft');
  });

  it("shows organisation members their own drafts, never another organisation's", async () => {
    const { titles } = await search({ filter: { text: 'jazz', statuses: ['DRAFT'] } }, asMember);
    expect(titles).toEqual(['Members Jazz Draft']);
  });

  it('shows the platform its private events', async () => {
    expect((await search(inWorld({ text: 'private' }), dev)).titles).toEqual(['Private Jazz']);
    expect((await search(inWorld({ text: 'private' }))).titles).toEqual([]);
  });
});

describe('searchEvents sorting and pagination', () => {
  it('pages through START order with a stable totalCount, unaffected by inserts', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const { connection }: { connection: any } = await search({ ...inWorld(), first: 1, after });
      expect(connection.totalCount).toBe(4 + (pages > 1 ? 1 : 0));
      seen.push(...connection.edges.map((e: any) => e.node.title));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      // an event inserted before the current position does not shift the pages
      if (++pages === 2)
        await event('early', venues.berlin, {
          title: 'Early Bird',
          startsAt: '2027-05-01T10:00:00Z',
          endsAt: '2027-05-01T11:00:00Z',
        });
    } while (after);
    expect(seen).toEqual(['Jazz Night', 'Rock Festival', 'Sunday Brunch', 'Opera Gala']);
    expect((await search(inWorld())).titles[0]).toBe('Early Bird');
  });

  it('sorts by relevance with a rank', async () => {
    await event('jazzjazz', venues.munich, {
      title: 'Jazz Jazz Jazz',
      startsAt: '2027-07-01T10:00:00Z',
      endsAt: '2027-07-01T11:00:00Z',
      categories: ['jazz'],
    });
    const { connection } = await search({ ...inWorld({ text: 'jazz' }), sort: 'RELEVANCE' });
    expect(connection.edges[0].node.title).toBe('Jazz Jazz Jazz');
    const ranks = connection.edges.map((e: any) => e.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    // page by page gives the same order
    const first = await search({ ...inWorld({ text: 'jazz' }), sort: 'RELEVANCE', first: 1 });
    const second = await search({
      ...inWorld({ text: 'jazz' }),
      sort: 'RELEVANCE',
      first: 5,
      after: first.connection.pageInfo.endCursor,
    });
    expect([...first.titles, ...second.titles]).toEqual(connection.edges.map((e: any) => e.node.title));
  });

  it('sorts by popularity from views and shares (anonymous callers may record them)', async () => {
    const view = `mutation($id: ID!) { recordEventView(id: $id) }`;
    const share = `mutation($id: ID!) { recordEventShare(id: $id) }`;
    for (let i = 0; i < 3; i++) expect((await anonymous(view, { id: ids.opera })).data.recordEventView).toBe(true);
    expect((await anonymous(share, { id: ids.brunch })).data.recordEventShare).toBe(true); // a share weighs 5 views
    const { titles } = await search({ ...inWorld({ categories: ['jazz', 'classical', 'food'] }), sort: 'POPULARITY' });
    expect(titles.slice(0, 2)).toEqual(['Sunday Brunch', 'Opera Gala']);
    expect(codeOf(await anonymous(view, { id: ids.draft }))).toBe('NOT_FOUND');
  });

  it('lists trending events starting within the next 7 days', async () => {
    const soon = new Date(Date.now() + 2 * 86_400_000);
    const id = await event('soon', venues.berlin, {
      title: 'Trending Soon',
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 3_600_000).toISOString(),
    });
    await anonymous(`mutation($id: ID!) { recordEventShare(id: $id) }`, { id });
    const body = await anonymous(
      `query { trendingEvents(first: 100, near: { latitude: 52.52, longitude: 13.405, radiusKm: 50 }) { score distanceKm node { id } } }`,
    );
    const mine = body.data.trendingEvents.find((t: any) => t.node.id === id);
    expect(mine.score).toBe(5);
    expect(mine.distanceKm).toBeLessThan(5);
    expect(body.data.trendingEvents.map((t: any) => t.node.id)).not.toContain(ids.opera); // a year away
  });
});

describe('the search document follows the venue', () => {
  it('when it is renamed or moves', async () => {
    const hall = await venue(world.org.id, 'Old Barn', 'Leipzig', 51.34, 12.37);
    await event('barn', hall, { title: 'Barn Dance', startsAt: '2027-08-01T10:00:00Z', endsAt: '2027-08-01T11:00:00Z' });
    const moved = await dev(`mutation($id: ID!, $input: UpdateVenueInput!) { updateVenue(id: $id, input: $input) { id } }`, {
      id: hall,
      input: { name: 'New Barn', city: 'Dresden', latitude: 51.05, longitude: 13.74 },
    });
    expect(moved.errors).toBeUndefined();
    expect((await search(inWorld({ text: 'leipzig' }))).titles).toEqual([]);
    expect((await search(inWorld({ text: 'dresden' }))).titles).toEqual(['Barn Dance']);
    expect((await search(inWorld({ near: { latitude: 51.05, longitude: 13.74, radiusKm: 1 } }))).titles).toEqual(['Barn Dance']);
  });
});

describe('bad input', () => {
  it.each([
    [{ first: 101 }, 'first'],
    [{ first: 0 }, 'first'],
    [{ after: 'not a cursor!' }, 'after'],
    [{ after: 'eyJ4IjoxfQ' }, 'after'],
    [{ filter: { from: '2027-06-02T00:00:00Z', to: '2027-06-01T00:00:00Z' } }, 'to'],
    [{ filter: { fromDate: '2027-06-02', toDate: '2027-06-01' } }, 'toDate'],
    [{ filter: { fromDate: '2027-02-30' } }, 'fromDate'],
    [{ filter: { fromDate: '2027-06-01', timeZone: 'Mars/Olympus' } }, 'timeZone'],
    [{ filter: { near: { latitude: 91, longitude: 0, radiusKm: 1 } } }, 'near.latitude'],
    [{ filter: { near: { latitude: 0, longitude: 181, radiusKm: 1 } } }, 'near.longitude'],
    [{ filter: { near: { latitude: 0, longitude: 0, radiusKm: 0 } } }, 'near.radiusKm'],
    [{ filter: { near: { latitude: 0, longitude: 0, radiusKm: 20001 } } }, 'near.radiusKm'],
    [{ sort: 'DISTANCE' }, 'sort'],
    [{ sort: 'RELEVANCE' }, 'sort'],
    [{ filter: { venueId: 'nope' } }, 'venueId'],
  ])('%j is refused naming %s', async (variables, field) => {
    const body = await anonymous(SEARCH, variables);
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.extensions).toMatchObject({ field });
  });

  it('refuses a cursor of another sort', async () => {
    const { connection } = await search({ ...inWorld(), first: 1 });
    const body = await anonymous(SEARCH, { ...inWorld(), sort: 'POPULARITY', after: connection.pageInfo.endCursor });
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
