import { as, signUp, type Account } from './support/accounts';
import { createOrganisationWithEvent } from './support/demo-data';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

/**
 * Notifications by preference, through the gateway: preferences are validated; new and changed public events
 * become one notification per matching user with its reasons (categories, keywords, follows, day and time,
 * distance, price); the daily cap folds the rest into the digest; quiet hours hold them; the live stream
 * carries only the user's own. CI runs it on PGlite and on PostgreSQL + NATS.
 */
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createOrganisationWithEvent>>;
let berlinVenue: string;
const tag = Math.random().toString(36).slice(2, 8);
type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const call = (who: Account, query: string, variables?: Record<string, unknown>) =>
  as(platform, who)(query, variables).then((r) => r.body as Body);
const must = async (who: Account, query: string, variables?: Record<string, unknown>) => {
  const body = await call(who, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

const SET = `mutation($input: NotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) { categories keywords days timeZone maxDistanceKm channels dailyCap quietHours { from to } timeWindows { from to } }
}`;
const LIST = `query($unreadOnly: Boolean) {
  notifications(first: 50, unreadOnly: $unreadOnly) { totalCount edges { node { id title inDigest read event { id } reasons { kind detail } } } }
  unreadNotificationCount
}`;
const LIVE = `subscription { notificationReceived { id title event { id } reasons { kind detail } } }`;

let counter = 0;
/** An event of the organisation at the Berlin venue (52.52, 13.405), published; returns its id. */
async function publish(input: Record<string, unknown>) {
  const { createEvent } = await platform.data(`mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }`, {
    input: {
      venueId: berlinVenue,
      slug: `n-${tag}-${counter++}`,
      startsAt: '2027-06-05T19:30:00Z', // a Saturday, 21:30 in Berlin
      endsAt: '2027-06-05T22:00:00Z',
      costType: 'PAID',
      priceMin: 1500,
      priceMax: 2500,
      currency: 'EUR',
      ...input,
    },
  });
  await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: createEvent.id });
  return createEvent.id as string;
}

/** Waits (at most 30 s) until `who` has `count` visible notifications, or one titled `title`. */
async function notificationsOf(who: Account, until: number | string) {
  const deadline = Date.now() + 30_000;
  const done = (data: any) =>
    typeof until === 'number'
      ? data.notifications.edges.length >= until // not totalCount: it is counted after the page is read
      : data.notifications.edges.some((e: any) => e.node.title === until);
  for (;;) {
    const data = await must(who, LIST);
    if (done(data) || Date.now() > deadline) return data;
    await new Promise((r) => setTimeout(r, 150));
  }
}

let alice: Account, bob: Account, carol: Account, dave: Account, erin: Account;
const signUpAll = (names: string[]) => Promise.all(names.map((n) => signUp(platform, `notify-${n}`)));

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createOrganisationWithEvent(platform, tag);
  const { createVenue } = await platform.data(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
    input: {
      organizationId: world.org.id,
      name: 'Harbour Hall',
      slug: `harbour-${tag}`,
      timeZone: 'Europe/Berlin',
      city: 'Berlin',
      latitude: 52.52,
      longitude: 13.405,
    },
  });
  berlinVenue = createVenue.id;
  [alice, bob, carol, dave, erin] = (await signUpAll(['alice', 'bob', 'carol', 'dave', 'erin'])) as [
    Account,
    Account,
    Account,
    Account,
    Account,
  ];
});
afterAll(() => platform?.stop());

describe('notification preferences', () => {
  it('refuses bad input with its code and keeps nothing', async () => {
    expect(codeOf(await call(alice, SET, { input: { categories: ['music', 'karaoke'] } }))).toBe('UNKNOWN_CATEGORY');
    expect(codeOf(await call(alice, SET, { input: { home: { latitude: 52.5, longitude: 13.4 }, maxDistanceKm: -1 } }))).toBe(
      'NEGATIVE_DISTANCE',
    );
    expect(codeOf(await call(alice, SET, { input: { timeZone: 'Mars/Olympus' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await call(alice, SET, { input: { quietHours: { from: '7pm', to: '8am' } } }))).toBe('BAD_USER_INPUT');
    const anonymous = await platform.request(`{ myNotificationPreferences { categories } }`, {}, { token: null });
    expect(codeOf(anonymous.body as Body)).toBe('UNAUTHENTICATED');
    expect((await must(alice, `{ myNotificationPreferences { categories } }`)).myNotificationPreferences).toBeNull();
  });

  it('sets and reads them back, normalised', async () => {
    const set = await must(alice, SET, {
      input: {
        categories: ['Music'],
        keywords: ['Jazz'],
        days: [6, 7],
        timeWindows: [{ from: '18:00', to: '23:30' }],
        timeZone: 'Europe/Berlin',
        home: { latitude: 52.5, longitude: 13.4 },
        maxDistanceKm: 20,
        price: { max: 3000, currency: 'eur' },
        channels: ['IN_APP'],
      },
    });
    expect(set.setNotificationPreferences).toMatchObject({
      categories: ['music'],
      keywords: ['jazz'],
      days: [6, 7],
      timeZone: 'Europe/Berlin',
      maxDistanceKm: 20,
      channels: ['IN_APP'],
      dailyCap: 10,
      quietHours: null,
      timeWindows: [{ from: '18:00', to: '23:30' }],
    });
    const read = await must(alice, `{ myNotificationPreferences { categories currency priceMax homeLatitude } }`);
    expect(read.myNotificationPreferences).toEqual({
      categories: ['music'],
      currency: 'EUR',
      priceMax: 3000,
      homeLatitude: 52.5,
    });
  });
});

describe('matching public events', () => {
  let jazz: string;

  it('notifies who matches, says why, and streams only the user’s own', async () => {
    // bob follows the organisation but cares for film; carol likes music but lives in Munich; dave likes music in quiet hours
    await must(bob, `mutation($id: ID!) { follow(targetType: ORGANIZATION, targetId: $id) { targetId } }`, { id: world.org.id });
    await must(bob, SET, { input: { categories: ['film'] } });
    await must(carol, SET, {
      input: { categories: ['music'], home: { latitude: 48.137, longitude: 11.575 }, maxDistanceKm: 50 },
    });
    const hour = new Date().getUTCHours();
    const quietHours = {
      from: `${String((hour + 23) % 24).padStart(2, '0')}:00`,
      to: `${String((hour + 2) % 24).padStart(2, '0')}:00`,
    };
    await must(dave, SET, { input: { categories: ['music'], timeZone: 'UTC', quietHours } });

    const aliceLive = subscribe(platform.wsClient({ authorization: `Bearer ${alice.accessToken}` }), LIVE);
    const bobLive = subscribe(platform.wsClient({ authorization: `Bearer ${bob.accessToken}` }), LIVE);
    // the upstream subscription opens asynchronously: events only alice matches until one reaches her
    const deadline = Date.now() + 15_000;
    while (aliceLive.results.length === 0) {
      if (aliceLive.error) throw new Error(JSON.stringify(aliceLive.error));
      if (Date.now() > deadline) throw new Error('no notification reached the stream');
      await publish({ title: `Warm-up jazz ${counter}`, categories: ['warmup'] });
      await aliceLive.next(1, 1000).catch(() => undefined);
    }
    const warmups = aliceLive.results.length;

    jazz = await publish({ title: 'Late Night Jazz at the Harbour', categories: ['music'], tags: ['live music'] });
    const received = (await aliceLive.next(warmups + 1, 10_000)).data!.notificationReceived;
    const forJazz = aliceLive.results.map((r) => r.data!.notificationReceived).find((n: any) => n.event.id === jazz) ?? received;
    expect(forJazz.event.id).toBe(jazz);
    expect(forJazz.reasons.map((r: { kind: string }) => r.kind)).toEqual([
      'CATEGORY',
      'KEYWORD',
      'DAY_AND_TIME',
      'DISTANCE',
      'PRICE',
    ]);
    expect(forJazz.reasons[2].detail).toBe('Saturday 21:30 (Europe/Berlin)');

    // bob hears of every one of them through the follow; each stream carried its user's own notifications only
    const bobs = await notificationsOf(bob, warmups + 1);
    const bobJazz = bobs.notifications.edges.map((e: any) => e.node).find((n: any) => n.event.id === jazz);
    expect(bobJazz.reasons).toEqual([{ kind: 'FOLLOWED_ORGANIZATION', detail: 'you follow its organiser' }]);
    await bobLive.next(1, 5000);
    const idsOf = (data: any) => new Set<string>(data.notifications.edges.map((e: any) => e.node.id));
    const bobIds = idsOf(bobs);
    const aliceIds = idsOf(await must(alice, LIST));
    for (const r of bobLive.results) expect(bobIds.has(r.data!.notificationReceived.id)).toBe(true);
    for (const r of aliceLive.results) expect(aliceIds.has(r.data!.notificationReceived.id)).toBe(true);
    // carol is too far away; dave's notification waits for the end of his quiet hours
    expect((await must(carol, LIST)).notifications.totalCount).toBe(0);
    expect((await must(dave, LIST)).unreadNotificationCount).toBe(0);
    aliceLive.unsubscribe();
    bobLive.unsubscribe();
  });

  it('tells a user once per event, even when it changes', async () => {
    await platform.data(`mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id } }`, {
      id: jazz,
      input: { title: 'Late Night Jazz (new line-up)' },
    });
    await new Promise((r) => setTimeout(r, 1000));
    const list = (await must(alice, LIST)).notifications.edges.map((e: any) => e.node);
    expect(list.filter((n: any) => n.event.id === jazz)).toHaveLength(1);
  });

  it('marks read and counts unread', async () => {
    const before = await must(alice, LIST);
    expect(before.unreadNotificationCount).toBe(before.notifications.totalCount);
    const one = before.notifications.edges[0].node.id;
    expect(
      (await must(alice, `mutation($ids: [ID!]) { markNotificationsRead(notificationIds: $ids) }`, { ids: [one] }))
        .markNotificationsRead,
    ).toBe(1);
    // another user's notification ids change nothing
    const bobsId = (await must(bob, LIST)).notifications.edges[0].node.id;
    const READ = `mutation($ids: [ID!]) { markNotificationsRead(notificationIds: $ids) }`;
    expect(codeOf(await call(alice, READ, { ids: [bobsId] }))).toBe('NOT_FOUND');
    expect(codeOf(await call(alice, READ, { ids: [bobsId, before.notifications.edges[1].node.id] }))).toBe('NOT_FOUND');
    expect(codeOf(await call(alice, READ, { ids: ['not-an-id'] }))).toBe('BAD_USER_INPUT');
    expect((await must(bob, LIST)).unreadNotificationCount).toBeGreaterThan(0);
    const after = await must(alice, LIST, { unreadOnly: true });
    expect(after.unreadNotificationCount).toBe(before.unreadNotificationCount - 1);
    expect(after.notifications.edges.map((e: any) => e.node.id)).not.toContain(one);
    expect((await must(alice, `mutation { markNotificationsRead }`)).markNotificationsRead).toBe(after.unreadNotificationCount);
    expect((await must(alice, LIST)).unreadNotificationCount).toBe(0);
  });

  it('folds what is over the daily cap into the digest', async () => {
    await must(erin, SET, { input: { keywords: [`cap${tag}`], dailyCap: 2 } });
    for (let i = 0; i < 4; i++) await publish({ title: `Cap${tag} night ${i}`, categories: ['other'] });
    const list = (await notificationsOf(erin, 4)).notifications.edges.map((e: any) => e.node);
    expect(list).toHaveLength(4);
    expect(list.filter((n: any) => n.inDigest)).toHaveLength(2);
    expect(list.every((n: any) => n.reasons[0].kind === 'KEYWORD')).toBe(true);
  });

  it('leaves out events that are not public', async () => {
    await must(erin, SET, { input: { keywords: [`hidden${tag}`] } });
    await publish({ title: `Hidden${tag} party`, visibility: 'UNLISTED' });
    await publish({ title: `Hidden${tag} open air` });
    // one consumer handles the announcements in order: once the second is in, the first was decided
    const list = (await notificationsOf(erin, `Hidden${tag} open air`)).notifications.edges.map((e: any) => e.node.title);
    expect(list.filter((t: string) => t.startsWith(`Hidden${tag}`))).toEqual([`Hidden${tag} open air`]);
  });
});
