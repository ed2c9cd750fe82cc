import { createDemoWorld } from './support/demo-data';
import { as, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let ana: Account;
let ben: Account;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const RSVP = `mutation($e: ID!, $s: RsvpStatus!) { rsvp(eventId: $e, status: $s) { going interested } }`;
const call = (who: Account, query: string, variables?: Record<string, unknown>) =>
  as(platform, who)(query, variables).then((r) => r.body as Body);

/** The events subgraph announces an event; users learns of it through the bus, a moment later. */
async function eventually(run: () => Promise<Body>, done: (b: Body) => boolean): Promise<Body> {
  const deadline = Date.now() + 3000;
  let body = await run();
  while (!done(body) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    body = await run();
  }
  return body;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  ana = await signUp(platform, 'ana');
  ben = await signUp(platform, 'ben');
});
afterAll(() => platform?.stop());

describe('RSVPs', () => {
  it('are refused for events a user cannot see, then counted once the event is published', async () => {
    const draft = await eventually(
      () => call(ana, RSVP, { e: world.event.id, s: 'GOING' }),
      (b) => codeOf(b) !== 'OK',
    );
    expect(codeOf(draft)).toBe('NOT_FOUND');
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: world.event.id });

    const first = await eventually(
      () => call(ana, RSVP, { e: world.event.id, s: 'GOING' }),
      (b) => codeOf(b) === 'OK',
    );
    expect(first.data).toEqual({ rsvp: { going: 1, interested: 0 } });
    expect((await call(ben, RSVP, { e: world.event.id, s: 'INTERESTED' })).data).toEqual({ rsvp: { going: 1, interested: 1 } });
    // answering again changes the answer, not the count of people
    expect((await call(ben, RSVP, { e: world.event.id, s: 'GOING' })).data).toEqual({ rsvp: { going: 2, interested: 0 } });
    expect((await call(ana, RSVP, { e: world.event.id, s: 'NOT_GOING' })).data).toEqual({ rsvp: { going: 1, interested: 0 } });
  });

  it('show on the event, through the gateway: counts for all, the viewer’s own answer, the list for the organisation', async () => {
    const QUERY = `query($id: ID!, $first: Int, $after: String) { event(id: $id) { title rsvpCounts { going interested } viewerRsvp
      rsvps(first: $first, after: $after) { totalCount edges { node { status user { displayName } } } pageInfo { hasNextPage endCursor } } } }`;
    const asBen = await call(ben, QUERY, { id: world.event.id });
    expect(asBen.data.event).toEqual({
      title: 'Summer Sound',
      rsvpCounts: { going: 1, interested: 0 },
      viewerRsvp: 'GOING',
      rsvps: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
    const asOrganisation = await platform.data(QUERY, { id: world.event.id });
    expect(asOrganisation.event.rsvps.totalCount).toBe(2);
    expect(asOrganisation.event.rsvps.edges).toEqual(
      expect.arrayContaining([
        { node: { status: 'GOING', user: { displayName: 'ben' } } },
        { node: { status: 'NOT_GOING', user: { displayName: 'ana' } } },
      ]),
    );
    // one at a time, latest answer first: ana answered last
    const one = (await platform.data(QUERY, { id: world.event.id, first: 1 })).event.rsvps;
    const two = (await platform.data(QUERY, { id: world.event.id, first: 1, after: one.pageInfo.endCursor })).event.rsvps;
    expect([one.edges, one.pageInfo.hasNextPage, two.edges, two.pageInfo.hasNextPage]).toEqual([
      [{ node: { status: 'NOT_GOING', user: { displayName: 'ana' } } }],
      true,
      [{ node: { status: 'GOING', user: { displayName: 'ben' } } }],
      false,
    ]);
  });

  it('need a signed-in user and a real event', async () => {
    const anonymous = await platform.request(RSVP, { e: world.event.id, s: 'GOING' }, { token: null });
    expect(codeOf(anonymous.body as Body)).toBe('UNAUTHENTICATED');
    expect(codeOf(await call(ana, RSVP, { e: '00000000-0000-4000-8000-000000000000', s: 'GOING' }))).toBe('NOT_FOUND');
    expect(codeOf(await call(ana, RSVP, { e: 'nope', s: 'GOING' }))).toBe('BAD_USER_INPUT');
  });
});

describe('follows', () => {
  it('follow organisations and people, once each, and can be undone', async () => {
    const FOLLOW = `mutation($t: FollowTarget!, $id: ID!) { follow(targetType: $t, targetId: $id) { targetType targetId } }`;
    expect((await call(ana, FOLLOW, { t: 'ORGANIZATION', id: world.org.id })).data).toEqual({
      follow: { targetType: 'ORGANIZATION', targetId: world.org.id },
    });
    await call(ana, FOLLOW, { t: 'ORGANIZATION', id: world.org.id });
    await call(ana, FOLLOW, { t: 'USER', id: ben.id });
    const follows = (await call(ana, `{ myFollows { totalCount edges { node { targetType targetId } } } }`)).data.myFollows;
    expect(follows).toEqual({
      totalCount: 2,
      edges: [
        { node: { targetType: 'ORGANIZATION', targetId: world.org.id } },
        { node: { targetType: 'USER', targetId: ben.id } },
      ],
    });
    expect((await call(ana, `mutation($id: ID!) { unfollow(targetType: USER, targetId: $id) }`, { id: ben.id })).data).toEqual({
      unfollow: true,
    });
    expect(codeOf(await call(ana, FOLLOW, { t: 'USER', id: ana.id }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call(ana, FOLLOW, { t: 'ORGANIZATION', id: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
  });
});

describe('the personalised feed', () => {
  it('ranks upcoming visible events by followed organisations and venues, then preferred categories and keywords', async () => {
    const cara = await signUp(platform, 'cara');
    const other = await createDemoWorld(platform);
    const create = async (venueId: string, slug: string, title: string, categories: string[], publish = true) => {
      const { createEvent } = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
        input: { venueId, title, slug, categories, startsAt: '2027-10-01T19:00:00Z', endsAt: '2027-10-01T23:00:00Z' },
      });
      if (publish)
        await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
      return createEvent.id as string;
    };
    const followed = await create(world.venue.id, 'feed-followed', 'Harbour nights', []);
    const techno = await create(other.venue.id, 'feed-techno', 'Warehouse', ['techno']);
    const keyword = await create(other.venue.id, 'feed-keyword', 'Open air cinema', []);
    await create(world.venue.id, 'feed-draft', 'Secret draft', ['techno'], false);
    await create(other.venue.id, 'feed-unrelated', 'Book fair', ['books']);

    await call(cara, `mutation($id: ID!) { follow(targetType: ORGANIZATION, targetId: $id) { targetId } }`, { id: world.org.id });
    await call(cara, `mutation { updatePreferences(input: { categories: ["Techno"], keywords: ["open air"] }) { id } }`);

    const FEED = `query($first: Int, $after: String) { myFeed(first: $first, after: $after) { totalCount edges { node { id title } } pageInfo { hasNextPage endCursor } } }`;
    const feed = await eventually(
      () => call(cara, FEED, { first: 10 }),
      (b) => (b.data?.myFeed?.edges?.length ?? 0) >= 4,
    );
    const nodes: Array<{ id: string; title: string }> = feed.data.myFeed.edges.map((e: { node: unknown }) => e.node);
    const ids = nodes.map((e) => e.id);
    expect(ids).toEqual(expect.arrayContaining([followed, world.event.id, techno, keyword]));
    // the followed organisation's events (Summer Sound in July, then Harbour nights) before category and keyword matches
    expect(ids.slice(0, 2)).toEqual([world.event.id, followed]);
    expect(nodes.map((e) => e.title)).not.toContain('Secret draft');
    expect(nodes.map((e) => e.title)).not.toContain('Book fair');
    // page by page, the same feed in the same order
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = (
        await call(cara, FEED, { first: 1, after })
      ).data.myFeed;
      paged.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(ids);
    expect(feed.data.myFeed.totalCount).toBe(ids.length);
    expect(codeOf((await call(cara, FEED, { after: 'bm90LWEtY3Vyc29y' })) as Body)).toBe('BAD_USER_INPUT');
    expect(codeOf((await platform.request(FEED, {}, { token: null })).body as Body)).toBe('UNAUTHENTICATED');
  });
});
