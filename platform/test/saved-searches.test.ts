// ical.js is an ES module with a CommonJS build; this package is CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
import { createDemoWorld } from './support/demo-data';
import { addMember, as, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let base: string;
let owner: Account;
let stranger: Account;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const tag = Math.random().toString(36).slice(2, 8);
const category = `saved-${tag}`;
const ids: Record<string, string> = {};

const call = (account: Account | null) => (query: string, variables?: Record<string, unknown>) =>
  (account ? as(platform, account)(query, variables) : platform.request(query, variables, { token: null })).then(
    (r) => r.body as Body,
  );
const must = (body: Body) => {
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

const SAVE = `mutation($name: String!, $filter: EventSearchFilter!) {
  saveSearch(name: $name, filter: $filter) { id name filter createdAt calendarPath }
}`;
const RESULTS = `query($id: ID!, $first: Int, $after: String) {
  savedSearch(id: $id) { id results(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title } } } }
}`;
const SEARCH = `query($filter: EventSearchFilter, $first: Int) {
  searchEvents(filter: $filter, first: $first) { totalCount edges { node { id } } }
}`;

async function event(key: string, input: Record<string, unknown>, publish = true) {
  const { createEvent: created } = await platform.data(
    `mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`,
    {
      input: { venueId: world.venue.id, slug: `${key}-${tag}`, title: key, categories: [category], ...input },
    },
  );
  if (publish)
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: created.id });
  ids[key] = created.id;
}

const uidsOf = (text: string) =>
  new ICAL.Component(ICAL.parse(text))
    .getAllSubcomponents('vevent')
    .map((c) => (c.getFirstPropertyValue('uid') as string).replace(/@eventgraph$/, ''));

beforeAll(async () => {
  platform = await startTestPlatform();
  base = platform.gateway.url.replace(/\/graphql$/, '');
  world = await createDemoWorld(platform, tag);
  owner = await signUp(platform, 'saved-owner');
  stranger = await signUp(platform, 'saved-stranger');
  // the owner reads the organisation: their results include its non-public events, the feed never does
  await addMember(platform, { accessToken: platform.devToken } as Account, world.org.id, owner, 'MEMBER');
  await event('later-public', { startsAt: '2027-05-02T18:00:00Z', endsAt: '2027-05-02T22:00:00Z' });
  await event('sooner-public', { startsAt: '2027-05-01T18:00:00Z', endsAt: '2027-05-01T22:00:00Z' });
  await event('unlisted', { startsAt: '2027-05-03T18:00:00Z', endsAt: '2027-05-03T22:00:00Z', visibility: 'UNLISTED' });
  await event('private', { startsAt: '2027-05-04T18:00:00Z', endsAt: '2027-05-04T22:00:00Z', visibility: 'PRIVATE' });
  await event('draft', { startsAt: '2027-05-05T18:00:00Z', endsAt: '2027-05-05T22:00:00Z' }, false);
  await event('too-early', { startsAt: '2026-12-01T18:00:00Z', endsAt: '2026-12-01T22:00:00Z' });
  await event('other-category', { startsAt: '2027-05-01T18:00:00Z', endsAt: '2027-05-01T22:00:00Z', categories: ['elsewhere'] });
});
afterAll(() => platform?.stop());

const FILTER = { categories: [category.toUpperCase()], from: '2027-01-01T00:00:00Z' };
let saved: { id: string; name: string; filter: Record<string, unknown>; calendarPath: string };

describe('saved searches', () => {
  it('save one for the signed-in user and list it', async () => {
    saved = must(await call(owner)(SAVE, { name: '  Spring nights ', filter: FILTER })).saveSearch;
    expect(saved.name).toBe('Spring nights');
    expect(saved.filter).toEqual({ from: '2027-01-01T00:00:00.000Z', categories: [category.toUpperCase()] });
    expect(saved.calendarPath).toBe(`/calendar/searches/${saved.id}.ics`);
    const second = must(await call(owner)(SAVE, { name: 'Everything', filter: {} })).saveSearch;
    const { savedSearches } = must(await call(owner)(`{ savedSearches { id name } }`));
    expect(savedSearches.map((s: { id: string }) => s.id)).toEqual([second.id, saved.id]);
  });

  it('find what searchEvents finds for the caller, in START order, page by page', async () => {
    const search = must(await call(owner)(SEARCH, { filter: FILTER, first: 100 })).searchEvents;
    const results = must(await call(owner)(RESULTS, { id: saved.id, first: 100 })).savedSearch.results;
    expect(results.edges.map((e: any) => e.node.id)).toEqual(search.edges.map((e: any) => e.node.id));
    expect(results.totalCount).toBe(search.totalCount);
    // the owner is a member: unlisted and private events are found too, drafts and other matches are not
    expect(results.edges.map((e: any) => e.node.title)).toEqual(['sooner-public', 'later-public', 'unlisted', 'private']);
    const first = must(await call(owner)(RESULTS, { id: saved.id, first: 1 })).savedSearch.results;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = must(await call(owner)(RESULTS, { id: saved.id, first: 1, after: first.pageInfo.endCursor })).savedSearch
      .results;
    expect(next.edges[0].node.title).toBe('later-public');
  });

  it('are private to their owner: NOT_FOUND for anyone else, sign-in required to save', async () => {
    expect(must(await call(stranger)(`{ savedSearches { id } }`)).savedSearches).toEqual([]);
    expect(codeOf(await call(stranger)(RESULTS, { id: saved.id }))).toBe('NOT_FOUND');
    expect(codeOf(await call(stranger)(`mutation($id: ID!) { deleteSavedSearch(id: $id) }`, { id: saved.id }))).toBe('NOT_FOUND');
    expect(codeOf(await call(null)(SAVE, { name: 'x', filter: {} }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await call(null)(`{ savedSearches { id } }`))).toBe('UNAUTHENTICATED');
    expect(must(await call(owner)(RESULTS, { id: saved.id })).savedSearch.id).toBe(saved.id);
  });

  it('refuse a filter searchEvents would refuse, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ near: { latitude: 95, longitude: 0, radiusKm: 5 } }, 'near.latitude'],
      [{ fromDate: '2027-02-30' }, 'fromDate'],
      [{ from: '2027-02-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }, 'to'],
      [{ venueId: 'not-an-id' }, 'venueId'],
      [{ text: 'x'.repeat(201) }, 'text'],
    ];
    for (const [filter, field] of cases) {
      const body = await call(owner)(SAVE, { name: 'bad', filter });
      expect(codeOf(body)).toBe('BAD_USER_INPUT');
      expect(body.errors![0]!.extensions!.field).toBe(field);
      expect(body.errors![0]!.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}:`));
    }
    const blank = await call(owner)(SAVE, { name: '  ', filter: {} });
    expect(blank.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });
});

describe('saved search feeds', () => {
  it('list the public matches only, soonest first, as valid iCalendar', async () => {
    const response = await fetch(`${base}${saved.calendarPath}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const text = await response.text();
    expect(text).toContain('X-WR-CALNAME:Spring nights');
    expect(uidsOf(text)).toEqual([ids['sooner-public'], ids['later-public']]);
    // the same as an anonymous searchEvents
    const anonymous = must(await call(null)(SEARCH, { filter: FILTER, first: 100 })).searchEvents;
    expect(anonymous.edges.map((e: any) => e.node.id)).toEqual(uidsOf(text));
  });

  it('answer 404 for unknown and deleted searches, 400 for malformed ids', async () => {
    expect((await fetch(`${base}/calendar/searches/00000000-0000-4000-8000-000000000000.ics`)).status).toBe(404);
    expect((await fetch(`${base}/calendar/searches/not-a-uuid.ics`)).status).toBe(400);
    expect(must(await call(owner)(`mutation($id: ID!) { deleteSavedSearch(id: $id) }`, { id: saved.id })).deleteSavedSearch).toBe(
      true,
    );
    expect((await fetch(`${base}${saved.calendarPath}`)).status).toBe(404);
    expect(codeOf(await call(owner)(RESULTS, { id: saved.id }))).toBe('NOT_FOUND');
    expect(must(await call(owner)(`{ savedSearches { name } }`)).savedSearches).toEqual([{ name: 'Everything' }]);
  });
});
