import { randomUUID } from 'node:crypto';
import type { EventsDb } from '@eventgraph/subgraph-events/src/context';
import { createDemoWorld } from './support/demo-data';
import { as, signUp, type Account } from './support/accounts';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

/**
 * Layer 1 end to end: ingest's announcements (published here on the real bus, as ingest's outbox relay would)
 * become public events in the events subgraph, read through the gateway like any other; read-only to users;
 * enriched by partner apps (Layer 2).
 */
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let admin: Account;
let reader: Account;
let partnerAppId: string;
let base: string;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const tag = Math.random().toString(36).slice(2, 8);
const word = `zq${tag}`; // a search word no other event has
const category = `layer1-${tag}`;
const id = randomUUID();

const call = (who: Account | string | null, query: string, variables?: Record<string, unknown>) =>
  (who === null || typeof who === 'string'
    ? platform.request(query, variables, { token: who })
    : as(platform, who)(query, variables)
  ).then((r) => r.body as Body);
const anonymous = (query: string, variables?: Record<string, unknown>) => call(null, query, variables);

/** Changes reach the events subgraph through the bus, a moment later. */
async function eventually(run: () => Promise<Body>, done: (b: Body) => boolean): Promise<Body> {
  const deadline = Date.now() + 8000;
  let body = await run();
  while (!done(body) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    body = await run();
  }
  return body;
}

/** One announcement on the bus, as ingest's relay publishes it (a fresh bus id: a redelivery or a repeat). */
const publish = (topic: string, payload: Record<string, unknown>) =>
  platform.bus.publish([{ id: randomUUID(), topic, source: 'ingest', occurredAt: new Date().toISOString(), payload }]);

const upserted = (version: number, over: Record<string, unknown> = {}) => ({
  canonicalEventId: id,
  version,
  title: `Open-air ${word} night`,
  description: '<p>Music <strong>under the stars</strong></p>',
  startsAt: '2031-07-01T18:00:00.000Z',
  endsAt: '2031-07-01T22:00:00.000Z',
  allDay: false,
  timeZone: 'Europe/Berlin',
  place: { text: null, venueName: 'Kulturbrauerei', city: 'Berlin', country: 'DE', latitude: 52.539, longitude: 13.413 },
  url: 'https://example.org/open-air',
  imageUrl: 'https://example.org/open-air.jpg',
  categories: [category, 'music'],
  sourceCount: 2,
  ...over,
});

const EVENT = `query($id: ID!) { event(id: $id) {
  id title status origin visibility sequence allDay description timeZone locationName externalUrl imageUrls categories
  coordinates { latitude longitude } organization { id } owner { id } venue { id }
} }`;
const SEARCH = `query($filter: EventSearchFilter) { searchEvents(filter: $filter) { totalCount edges { node { id title status } } } }`;
const ENRICHMENTS = `query($id: ID!) { event(id: $id) { title ticketUrl price { min } enrichments {
  partnerAppId partnerOrganization { id name } ticketUrl price { min max currency } availability
} } }`;

beforeAll(async () => {
  platform = await startTestPlatform();
  base = platform.gateway.url.replace(/\/graphql$/, '');
  world = await createDemoWorld(platform, tag);
  [admin, reader] = await Promise.all([signUp(platform, 'partner-admin'), signUp(platform, 'reader')]);
  await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: ADMIN) { id } }`, {
    o: world.org.id,
    u: admin.id,
  });
  const app = await call(
    admin,
    `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Tickets", whiteLabel: { brandName: "Tickets" }) { id } }`,
    { o: world.org.id },
  );
  partnerAppId = app.data.createPartnerApp.id;
}, 120_000);

afterAll(() => platform?.stop());

describe('Layer-1 public events', () => {
  it('arrive from the bus as public, read-only events anyone can find', async () => {
    await publish('ingest.public_event.upserted', upserted(1));
    const found = await eventually(
      () => anonymous(EVENT, { id }),
      (b) => b.data?.event != null,
    );
    expect(found.data.event).toEqual({
      id,
      title: `Open-air ${word} night`,
      status: 'PUBLISHED',
      origin: 'SOURCE',
      visibility: 'PUBLIC',
      sequence: 0,
      allDay: false,
      description: '<p>Music <strong>under the stars</strong></p>',
      timeZone: 'Europe/Berlin',
      locationName: 'Kulturbrauerei, Berlin',
      externalUrl: 'https://example.org/open-air',
      imageUrls: ['https://example.org/open-air.jpg'],
      categories: [category, 'music'],
      coordinates: { latitude: 52.539, longitude: 13.413 },
      organization: null,
      owner: null,
      venue: null,
    });

    // search: by its words, by the city (its place is searched like a venue's), by category, by distance
    for (const filter of [
      { text: word },
      { text: `${word} berlin` },
      { categories: [category] },
      { categories: [category], near: { latitude: 52.54, longitude: 13.41, radiusKm: 5 } },
    ]) {
      const hits = await anonymous(SEARCH, { filter });
      expect(hits.data.searchEvents.edges.map((e: any) => e.node.id)).toEqual([id]);
    }
    expect(
      (await anonymous(SEARCH, { filter: { categories: [category], near: { latitude: 48.1, longitude: 11.6, radiusKm: 5 } } }))
        .data.searchEvents.totalCount,
    ).toBe(0);

    // calendar: the event's own feed, and a saved search's public feed
    const ics = await (await fetch(`${base}/calendar/events/${id}.ics`)).text();
    expect(ics).toContain(`UID:${id}@eventgraph`);
    expect(ics).toContain('DTSTART;TZID=Europe/Berlin:20310701T200000');
    expect(ics).toContain('STATUS:CONFIRMED');
    const saved = await call(
      reader,
      `mutation($f: EventSearchFilter!) { saveSearch(name: "Layer 1", filter: $f) { calendarPath } }`,
      {
        f: { categories: [category] },
      },
    );
    const feed = await (await fetch(`${base}${saved.data.saveSearch.calendarPath}`)).text();
    expect(feed).toContain(`UID:${id}@eventgraph`);
  });

  it('apply each version once: newer ones change the event, old and repeated ones change nothing', async () => {
    await publish(
      'ingest.public_event.upserted',
      upserted(2, {
        title: `Open-air ${word} night (moved)`,
        startsAt: '2031-07-02T18:00:00.000Z',
        endsAt: '2031-07-02T22:00:00.000Z',
      }),
    );
    const moved = await eventually(
      () => anonymous(EVENT, { id }),
      (b) => b.data?.event?.title.endsWith('(moved)'),
    );
    expect(moved.data.event).toMatchObject({ sequence: 1, status: 'PUBLISHED' });

    // an old version delivered late, and the current one delivered twice
    await publish('ingest.public_event.upserted', upserted(1, { title: 'Stale title' }));
    await publish(
      'ingest.public_event.upserted',
      upserted(2, {
        title: `Open-air ${word} night (moved)`,
        startsAt: '2031-07-02T18:00:00.000Z',
        endsAt: '2031-07-02T22:00:00.000Z',
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await anonymous(EVENT, { id })).data.event).toMatchObject({ title: `Open-air ${word} night (moved)`, sequence: 1 });
  });

  it('reach live subscribers like any other event change', async () => {
    const live = subscribe(
      platform.wsClient(),
      `subscription($id: ID!) { eventChanged(eventId: $id) { kind changedFields event { title } } }`,
      { id },
    );
    // the upstream subscription opens a moment later: publish newer versions until it hears one
    let version = 3;
    for (; live.results.length === 0 && version < 8; version++) {
      await publish(
        'ingest.public_event.upserted',
        upserted(version, {
          title: `Open-air ${word} night v${version}`,
          startsAt: '2031-07-02T18:00:00.000Z',
          endsAt: '2031-07-02T22:00:00.000Z',
        }),
      );
      await live.next(1, 1500).catch(() => undefined);
    }
    expect(live.results[0]!.data).toEqual({
      eventChanged: {
        kind: 'UPDATED',
        changedFields: ['title', 'slug'],
        event: { title: expect.stringMatching(new RegExp(`^Open-air ${word} night v\\d$`)) },
      },
    });
    live.unsubscribe();
  });

  it('are read-only to users', async () => {
    const update = await call(reader, `mutation($id: ID!) { updateEvent(id: $id, input: { title: "Mine now" }) { id } }`, { id });
    expect(codeOf(update)).toBe('FORBIDDEN');
    expect(update.errors![0]!.extensions!.reason).toBe('SOURCE_EVENT');
    const transition = await call(reader, `mutation($id: ID!) { transitionEvent(id: $id, to: ARCHIVED) { id } }`, { id });
    expect([codeOf(transition), transition.errors![0]!.extensions!.reason]).toEqual(['FORBIDDEN', 'SOURCE_EVENT']);
    const remove = await call(reader, `mutation($id: ID!) { deleteEvent(id: $id) }`, { id });
    expect([codeOf(remove), remove.errors![0]!.extensions!.reason]).toEqual(['FORBIDDEN', 'SOURCE_EVENT']);
    expect(codeOf(await anonymous(`mutation($id: ID!) { updateEvent(id: $id, input: { title: "x" }) { id } }`, { id }))).toBe(
      'UNAUTHENTICATED',
    );
    // an organisation's member cannot change it either
    expect(codeOf(await call(admin, `mutation($id: ID!) { updateEvent(id: $id, input: { title: "x" }) { id } }`, { id }))).toBe(
      'FORBIDDEN',
    );
    // a user's own event based on it is theirs to make
    const own = await call(reader, `mutation($input: CreateMyEventInput!) { createMyEvent(input: $input) { basedOn { id } } }`, {
      input: {
        title: 'Our open-air night',
        slug: `our-night-${tag}`,
        startsAt: '2031-07-02T18:00:00.000Z',
        endsAt: '2031-07-02T22:00:00.000Z',
        timeZone: 'Europe/Berlin',
        basedOnEventId: id,
      },
    });
    expect(own.data.createMyEvent.basedOn).toEqual({ id });
    expect((await anonymous(EVENT, { id })).data.event.title).toMatch(/^Open-air/);
  });

  it('take ticketing from partner apps with the enrich scope, beside their own facts', async () => {
    // through the gateway: a key without the scope is refused
    const key = await call(
      admin,
      `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "site", scopes: ["events:read"]) { secret } }`,
      {
        app: partnerAppId,
      },
    );
    const ENRICH = `mutation($input: EnrichEventInput!) { enrichEvent(input: $input) { partnerAppId ticketUrl availability } }`;
    const refused = await call(key.data.createApiKey.secret, ENRICH, { input: { eventId: id, availability: 'LIMITED' } });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(codeOf(await call(reader, ENRICH, { input: { eventId: id, availability: 'LIMITED' } }))).toBe('FORBIDDEN');

    // a key of the same partner app with the scope, through the gateway
    const enricher = await call(
      admin,
      `mutation($app: ID!) { createApiKey(partnerAppId: $app, name: "enricher", scopes: ["events:read", "events:enrich"]) { secret } }`,
      { app: partnerAppId },
    );
    const asPartner = (source: string, variables: Record<string, unknown>) =>
      call(enricher.data.createApiKey.secret as string, source, variables);
    const enriched = await asPartner(ENRICH, {
      input: {
        eventId: id,
        ticketUrl: 'https://tickets.example/open-air',
        priceMin: 1500,
        priceMax: 3500,
        currency: 'eur',
        availability: 'LIMITED',
      },
    });
    expect(enriched).toEqual({
      data: { enrichEvent: { partnerAppId, ticketUrl: 'https://tickets.example/open-air', availability: 'LIMITED' } },
    });
    const bad = await asPartner(ENRICH, { input: { eventId: id, ticketUrl: 'http://tickets.example/open-air' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ticketUrl' });
    // an organisation's published event says its own ticketing
    await platform.data(`mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status } }`, { id: world.event.id });
    const orgEvent = await asPartner(ENRICH, { input: { eventId: world.event.id, availability: 'SOLD_OUT' } });
    expect(orgEvent.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'NOT_SOURCE_EVENT' });

    // read through the gateway: attributed to the partner's organisation, the event's own fields untouched
    const read = await anonymous(ENRICHMENTS, { id });
    expect(read.data.event).toEqual({
      title: expect.stringMatching(/^Open-air/),
      ticketUrl: null,
      price: null,
      enrichments: [
        {
          partnerAppId,
          partnerOrganization: { id: world.org.id, name: expect.any(String) },
          ticketUrl: 'https://tickets.example/open-air',
          price: { min: 1500, max: 3500, currency: 'EUR' },
          availability: 'LIMITED',
        },
      ],
    });
    expect(await asPartner(`mutation($id: ID!) { removeEventEnrichment(eventId: $id) }`, { id })).toEqual({
      data: { removeEventEnrichment: true },
    });
    expect((await anonymous(ENRICHMENTS, { id })).data.event.enrichments).toEqual([]);
  });

  it('are cancelled visibly, and withdrawn from public reads', async () => {
    await publish('ingest.public_event.cancelled', { canonicalEventId: id, version: 20 });
    const cancelled = await eventually(
      () => anonymous(EVENT, { id }),
      (b) => b.data?.event?.status === 'CANCELLED',
    );
    expect(cancelled.data.event.status).toBe('CANCELLED');
    expect((await anonymous(SEARCH, { filter: { categories: [category] } })).data.searchEvents.edges).toEqual([
      { node: { id, title: expect.any(String), status: 'CANCELLED' } },
    ]);
    expect(await (await fetch(`${base}/calendar/events/${id}.ics`)).text()).toContain('STATUS:CANCELLED');

    // an older upsert arriving late does not bring it back
    await publish('ingest.public_event.upserted', upserted(19));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await anonymous(EVENT, { id })).data.event.status).toBe('CANCELLED');

    await publish('ingest.public_event.withdrawn', { canonicalEventId: id, version: 21 });
    const gone = await eventually(
      () => anonymous(EVENT, { id }),
      (b) => b.data?.event === null,
    );
    expect(gone.data.event).toBeNull();
    expect((await anonymous(SEARCH, { filter: { categories: [category] } })).data.searchEvents.totalCount).toBe(0);
    // a subscribed calendar learns it is off
    expect(await (await fetch(`${base}/calendar/events/${id}.ics`)).text()).toContain('STATUS:CANCELLED');
  });

  it('keep a withdrawal that overtook the event itself', async () => {
    const early = randomUUID();
    await publish('ingest.public_event.withdrawn', { canonicalEventId: early, version: 2 });
    await new Promise((r) => setTimeout(r, 500));
    await publish('ingest.public_event.upserted', { ...upserted(1), canonicalEventId: early, title: `Early ${word}` });
    const events = platform.subgraphs.events!.db as EventsDb;
    const stored = await (async () => {
      const deadline = Date.now() + 8000;
      for (;;) {
        const row = await events.event.findUnique({ where: { id: early } });
        if (row || Date.now() > deadline) return row;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    expect(stored).toMatchObject({ status: 'ARCHIVED', sourceVersion: 2, origin: 'SOURCE' });
    expect((await anonymous(EVENT, { id: early })).data.event).toBeNull();
  });
});
