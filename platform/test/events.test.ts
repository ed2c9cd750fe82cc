import { createDemoWorld } from './support/demo-data';
import { as, signUp } from './support/accounts';
import { startTestPlatform, subscribe, type TestPlatform } from './support/test-platform';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
const codeOf = (body: Body) => body.errors?.[0]?.extensions?.code ?? 'OK';
const dev = (query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables).then((r) => r.body as Body);
const anonymous = (query: string, variables?: Record<string, unknown>) =>
  platform.request(query, variables, { token: null }).then((r) => r.body as Body);

const CREATE = `mutation($input: CreateEventInput!) { createEvent(input: $input) { id title description categories tags imageUrls costType price { min max currency } externalUrl ticketUrl origin visibility sequence } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { id title startsAt sequence } }`;
const PUBLISH = `mutation($id: ID!) { transitionEvent(id: $id, to: PUBLISHED) { status sequence } }`;
let slugs = 0;
const base = () => ({
  venueId: world.venue.id,
  title: 'Jazz by the river',
  slug: `jazz-${slugs++}`,
  startsAt: '2027-06-01T18:00:00Z',
  endsAt: '2027-06-01T22:00:00Z',
});

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
});
afterAll(() => platform?.stop());

describe('venues', () => {
  it('carry an address, coordinates, a capacity and settings', async () => {
    const { data } = await dev(
      `mutation($input: CreateVenueInput!) { createVenue(input: $input) { timeZone address { line1 postalCode city countryCode } coordinates { latitude longitude } maxCapacity settings } }`,
      {
        input: {
          organizationId: world.org.id,
          name: 'Harbour Hall',
          slug: 'harbour-hall',
          timeZone: 'Europe/Lisbon',
          addressLine1: 'Rua do Porto 1',
          postalCode: '1100-001',
          city: 'Lisbon',
          countryCode: 'pt',
          latitude: 38.7077,
          longitude: -9.1365,
          maxCapacity: 1200,
          settings: { doorsOpenMinutes: 45 },
        },
      },
    );
    expect(data.createVenue).toEqual({
      timeZone: 'Europe/Lisbon',
      address: { line1: 'Rua do Porto 1', postalCode: '1100-001', city: 'Lisbon', countryCode: 'PT' },
      coordinates: { latitude: 38.7077, longitude: -9.1365 },
      maxCapacity: 1200,
      settings: { doorsOpenMinutes: 45 },
    });
  });

  it.each([
    [{ latitude: 91, longitude: 0 }, 'latitude'],
    [{ latitude: 10, longitude: -181 }, 'longitude'],
    [{ latitude: 10 }, 'longitude'],
    [{ maxCapacity: -1 }, 'maxCapacity'],
    [{ countryCode: 'Germany' }, 'countryCode'],
    [{ timeZone: 'Europe/Atlantis' }, 'timeZone'],
  ])('refuses %j, naming %s', async (change, field) => {
    const body = await dev(`mutation($input: CreateVenueInput!) { createVenue(input: $input) { id } }`, {
      input: { organizationId: world.org.id, name: 'Nowhere', slug: `nowhere-${slugs++}`, timeZone: 'Europe/Berlin', ...change },
    });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message.startsWith(`${field}:`)).toBe(true);
    expect(body.errors![0]!.extensions).toMatchObject({ field });
  });
});

describe('event details', () => {
  it('are stored with a sanitised description and normalised labels', async () => {
    const { data, errors } = await dev(CREATE, {
      input: {
        ...base(),
        description:
          '<p onclick="steal()">Live <strong>jazz</strong><script>alert(1)</script> <a href="javascript:alert(1)">x</a> <a href="https://example.org">tickets</a></p>',
        categories: ['Jazz', 'jazz', 'Live Music'],
        tags: ['outdoor'],
        imageUrls: ['https://img.example.org/1.jpg'],
        costType: 'PAID',
        priceMin: 1500,
        priceMax: 4500,
        currency: 'EUR',
        ticketUrl: 'https://tickets.example.org/jazz',
      },
    });
    expect(errors).toBeUndefined();
    const event = data.createEvent;
    expect(event.description).toBe(
      '<p>Live <strong>jazz</strong> <a rel="noopener noreferrer nofollow" target="_blank">x</a> <a href="https://example.org" rel="noopener noreferrer nofollow" target="_blank">tickets</a></p>',
    );
    expect(event).toMatchObject({
      categories: ['jazz', 'live music'],
      costType: 'PAID',
      price: { min: 1500, max: 4500, currency: 'EUR' },
      origin: 'ORGANIZATION',
      visibility: 'PUBLIC',
      sequence: 0,
    });
  });

  it.each([
    [{ costType: 'FREE', priceMin: 100, currency: 'EUR' }, 'priceMin'],
    [{ costType: 'PAID' }, 'priceMin'],
    [{ costType: 'PAID', priceMin: 500, priceMax: 100, currency: 'EUR' }, 'priceMax'],
    [{ costType: 'PAID', priceMin: 500 }, 'currency'],
    [{ ticketUrl: 'ftp://tickets.example.org' }, 'ticketUrl'],
    [{ imageUrls: ['not a url'] }, 'imageUrls'],
    [{ categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'categories'],
    [{ endsAt: '2027-06-01T18:00:00Z' }, 'endsAt'],
  ])('refuse %j, naming %s, and write nothing', async (change, field) => {
    const input = { ...base(), ...change };
    const body = await dev(CREATE, { input });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.extensions).toMatchObject({ field });
    const listed = await dev(`query($o: ID!) { events(organizationId: $o, first: 100) { edges { node { slug } } } }`, {
      o: world.org.id,
    });
    expect(listed.data.events.edges.map((e: { node: { slug: string } }) => e.node.slug)).not.toContain(input.slug);
  });
});

describe('changing an event', () => {
  it('bumps its sequence for calendars and announces a new time to live subscribers', async () => {
    const created = (await dev(CREATE, { input: base() })).data.createEvent;
    const stream = subscribe(
      platform.wsClient(),
      `subscription($id: ID!) { eventChanged(eventId: $id) { kind changedFields event { startsAt sequence } } }`,
      { id: created.id },
    );
    const deadline = Date.now() + 5000;
    while (platform.gateway.engine.upstreamCount() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const updated = (
      await dev(UPDATE, { id: created.id, input: { startsAt: '2027-06-01T19:00:00Z', endsAt: '2027-06-01T23:00:00Z' } })
    ).data.updateEvent;
    expect(updated).toMatchObject({ startsAt: '2027-06-01T19:00:00.000Z', sequence: 1 });
    const change = await stream.next(1);
    expect(change.data).toEqual({
      eventChanged: {
        kind: 'UPDATED',
        changedFields: ['startsAt', 'endsAt'],
        event: { startsAt: '2027-06-01T19:00:00.000Z', sequence: 1 },
      },
    });
    // a change nobody's calendar shows leaves the sequence alone
    expect((await dev(UPDATE, { id: created.id, input: { tags: ['late'] } })).data.updateEvent.sequence).toBe(1);
    expect((await dev(PUBLISH, { id: created.id })).data.transitionEvent).toEqual({ status: 'PUBLISHED', sequence: 2 });
  });

  it('announces a published event that is archived as cancelled; a draft archived is not', async () => {
    const heard: string[] = [];
    const stop = platform.bus.subscribe('event.cancelled', (e) => void heard.push(e.payload.eventId as string));
    const published = (await dev(CREATE, { input: base() })).data.createEvent.id as string;
    const draft = (await dev(CREATE, { input: base() })).data.createEvent.id as string;
    await dev(PUBLISH, { id: published });
    for (const id of [published, draft])
      await dev(`mutation($id: ID!) { transitionEvent(id: $id, to: ARCHIVED) { status } }`, { id });
    const deadline = Date.now() + 2000;
    while (!heard.includes(published) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(heard).toEqual([published]);
  });

  it('checks the whole event after a partial change', async () => {
    const created = (await dev(CREATE, { input: base() })).data.createEvent;
    const body = await dev(UPDATE, { id: created.id, input: { endsAt: '2027-06-01T17:00:00Z' } });
    expect(codeOf(body)).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.extensions).toMatchObject({ field: 'endsAt' });
    const archived = (await dev(CREATE, { input: base() })).data.createEvent;
    await dev(`mutation($id: ID!) { transitionEvent(id: $id, to: ARCHIVED) { status } }`, { id: archived.id });
    expect(codeOf(await dev(UPDATE, { id: archived.id, input: { title: 'Back' } }))).toBe('EVENT_ARCHIVED');
  });

  it('refuses to delete an event once a series hangs on it, and deletes one without', async () => {
    const lonely = (await dev(CREATE, { input: base() })).data.createEvent;
    expect((await dev(`mutation($id: ID!) { deleteEvent(id: $id) }`, { id: lonely.id })).data).toEqual({ deleteEvent: true });
    expect((await dev(`query($id: ID!) { event(id: $id) { id } }`, { id: lonely.id })).data).toEqual({ event: null });

    // the demo event has a series in access; events learns of it through the bus
    let body: Body;
    const deadline = Date.now() + 3000;
    do {
      body = await dev(`mutation($id: ID!) { deleteEvent(id: $id) }`, { id: world.event.id });
    } while (codeOf(body) === 'OK' && Date.now() < deadline);
    expect(codeOf(body)).toBe('EVENT_HAS_DEPENDENTS');
    expect(body.errors![0]!.message).toMatch(/archive it instead/);
  });
});

describe('layer-1 events', () => {
  it('are read-only to users: only the platform records and changes events from sources', async () => {
    const manager = await signUp(platform, 'manager');
    await platform.data(`mutation($o: ID!, $u: ID!) { addMember(organizationId: $o, userId: $u, role: MANAGER) { id } }`, {
      o: world.org.id,
      u: manager.id,
    });
    const asManager = (query: string, variables?: Record<string, unknown>) =>
      as(platform, manager)(query, variables).then((r) => r.body as Body);

    const refused = await asManager(CREATE, { input: { ...base(), origin: 'SOURCE' } });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.extensions).toMatchObject({ field: 'origin' });

    const ingested = (await dev(CREATE, { input: { ...base(), origin: 'SOURCE' } })).data.createEvent;
    expect(ingested.origin).toBe('SOURCE');
    const edit = await asManager(UPDATE, { id: ingested.id, input: { title: 'Mine now' } });
    expect(codeOf(edit)).toBe('FORBIDDEN');
    expect(edit.errors![0]!.extensions).toMatchObject({ reason: 'SOURCE_EVENT' });
    expect(codeOf(await asManager(PUBLISH, { id: ingested.id }))).toBe('FORBIDDEN');
    expect(codeOf(await asManager(`mutation($id: ID!) { deleteEvent(id: $id) }`, { id: ingested.id }))).toBe('FORBIDDEN');

    // the manager's own organisation events stay theirs to change
    const own = (await asManager(CREATE, { input: base() })).data.createEvent;
    expect(codeOf(await asManager(UPDATE, { id: own.id, input: { title: 'Ours' } }))).toBe('OK');
  });
});

describe('visibility', () => {
  it('lists PUBLIC events, shows UNLISTED ones by id only, keeps PRIVATE ones to the organisation', async () => {
    const make = async (visibility: string) => {
      const id = (await dev(CREATE, { input: { ...base(), visibility } })).data.createEvent.id as string;
      await dev(PUBLISH, { id });
      return id;
    };
    const [open, unlisted, secret] = [await make('PUBLIC'), await make('UNLISTED'), await make('PRIVATE')];
    const listed = (
      await anonymous(`query($o: ID!) { events(organizationId: $o, first: 100) { edges { node { id } } } }`, { o: world.org.id })
    ).data.events.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(listed).toContain(open);
    expect(listed).not.toContain(unlisted);
    expect(listed).not.toContain(secret);
    const byId = `query($id: ID!) { event(id: $id) { id } }`;
    expect((await anonymous(byId, { id: unlisted })).data.event).toEqual({ id: unlisted });
    expect((await anonymous(byId, { id: secret })).data.event).toBeNull();
    const outsider = await signUp(platform, 'outsider');
    expect((await as(platform, outsider)(byId, { id: secret })).body.data).toEqual({ event: null });
    expect((await dev(byId, { id: secret })).data.event).toEqual({ id: secret });
  });
});
