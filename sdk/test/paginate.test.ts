import { createEventgraphClient, paginate, SearchEventsDocument, type EventgraphClient, type FetchLike } from '../src';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';

let platform: TestPlatform;
let client: EventgraphClient;
let requests = 0;
const word = `pagetest${Math.random().toString(36).slice(2, 8)}`;
const titles = ['One', 'Two', 'Three', 'Four', 'Five'].map((n) => `${n} ${word}`);

beforeAll(async () => {
  platform = await startTestPlatform();
  const world = await createDemoWorld(platform);
  // five public events with a word of their own, a day apart
  for (const [i, title] of titles.entries()) {
    const startsAt = new Date(Date.UTC(2031, 5, 1 + i, 18)).toISOString();
    const endsAt = new Date(Date.UTC(2031, 5, 1 + i, 22)).toISOString();
    const { createEvent } = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
      input: { venueId: world.venue.id, title, slug: `${word}-${i}`, startsAt, endsAt },
    });
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { id } }`, { id: createEvent.id });
  }
  const counting: FetchLike = (url, init) => {
    requests++;
    return globalThis.fetch(url, init);
  };
  client = createEventgraphClient({ url: platform.gateway.url, fetch: counting }); // anonymous: public search
});
afterAll(async () => {
  await client?.close();
  await platform?.stop();
});

const search = (options: Parameters<typeof paginate>[4] = {}) =>
  paginate(client, SearchEventsDocument, { filter: { text: word }, sort: 'START' }, (d) => d.searchEvents, options);

it('walks searchEvents page by page with first/after, node by node, in order', async () => {
  requests = 0;
  const seen: string[] = [];
  for await (const event of search({ pageSize: 2 })) seen.push(event.title);
  expect(seen).toEqual(titles);
  expect(requests).toBe(3); // 2 + 2 + 1
});

it('gives whole pages with the connection as the API returned it (cursors, totalCount, pageInfo)', async () => {
  const pages = [];
  for await (const page of search({ pageSize: 2 }).pages()) pages.push(page);
  expect(pages.map((p) => p.index)).toEqual([0, 1, 2]);
  expect(pages.map((p) => p.nodes.length)).toEqual([2, 2, 1]);
  expect(pages.map((p) => p.connection.totalCount)).toEqual([5, 5, 5]);
  expect(pages.map((p) => p.connection.pageInfo.hasNextPage)).toEqual([true, true, false]);
  // each page starts after the cursor the previous one ended with
  expect(pages[0]!.connection.pageInfo.endCursor).toBe(pages[0]!.connection.edges.at(-1)!.cursor);
});

it('fetches nothing more once the loop is left, and stops at maxPages', async () => {
  requests = 0;
  for await (const event of search({ pageSize: 2 })) {
    expect(event.title).toBe(titles[0]);
    break;
  }
  expect(requests).toBe(1);
  requests = 0;
  expect((await search({ pageSize: 2, maxPages: 2 }).all()).map((e) => e.title)).toEqual(titles.slice(0, 4));
  expect(requests).toBe(2);
});

it('takes the page size from the variables when none is given, and a typed error ends the walk', async () => {
  const all = await paginate(client, SearchEventsDocument, { filter: { text: word }, first: 3 }, (d) => d.searchEvents).all();
  expect(all.map((e) => e.title).sort()).toEqual([...titles].sort());
  await expect(search({ pageSize: 0 }).all()).rejects.toMatchObject({ code: 'BAD_USER_INPUT' }); // 1..100;
});
