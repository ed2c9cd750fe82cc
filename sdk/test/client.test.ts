import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import {
  CheckInDocument,
  CheckInRecordedDocument,
  CreateEventDocument,
  CreateVenueDocument,
  EventChangedDocument,
  EventDetailsDocument,
  OrganizationEventsDocument,
  TransitionEventDocument,
  createEventgraphClient,
  isEventgraphError,
  EventgraphError,
  type Credential,
  type EventgraphClient,
  type EventgraphClientOptions,
} from '../src';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive, waitForNoSubscriptions, within } from './support';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let client: EventgraphClient;
const clients: EventgraphClient[] = [];

/** a client against the test platform; closed after all tests */
function clientWith(credential?: Credential, extra: Partial<EventgraphClientOptions> = {}) {
  const c = createEventgraphClient({
    url: platform.gateway.url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...(credential === undefined ? {} : { credential }),
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  world = await createDemoWorld(platform);
  client = clientWith(platform.devToken);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await platform?.stop();
});

/** catches what `promise` rejects with, failing the test if it resolves */
async function rejection(promise: Promise<unknown>): Promise<EventgraphError> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EventgraphError);
  return err as EventgraphError;
}

describe('typed queries', () => {
  it('reads one event with what all four subgraphs know about it', async () => {
    const { event } = await client.request(EventDetailsDocument, { id: world.event.id });
    expect(event).toMatchObject({
      id: world.event.id,
      title: 'Summer Sound',
      status: 'DRAFT',
      venue: { id: world.venue.id, name: 'Riverside Park', city: 'Berlin', timeZone: 'Europe/Berlin' }, // events
      organization: { id: world.org.id, name: world.org.name }, // users
      series: [{ id: world.series.id, name: 'Day 1', status: 'ACTIVE', capacity: 2 }], // access
      gates: [{ id: world.gate.id, name: 'Main', direction: 'BOTH' }], // access
      sources: [{ id: world.source.id, name: 'City listings', kind: 'ICAL' }], // ingest
    });
    // the static type follows the document: this line would not compile if `sources` were not selected
    const kinds: Array<'ICAL' | 'RSS' | 'JSON' | 'CSV' | 'WEBHOOK' | 'HTML'> = event!.sources.map((s) => s.kind);
    expect(kinds).toEqual(['ICAL']);
  });

  it("lists an organisation's events with venues (users → events), optional variables left out", async () => {
    const { organization } = await client.request(OrganizationEventsDocument, { organizationId: world.org.id });
    expect(organization?.name).toBe(world.org.name);
    expect(organization?.events.edges.map(({ node: e }) => [e.title, e.venue?.name])).toEqual([
      ['Summer Sound', 'Riverside Park'],
    ]);
  });

  it('accepts a plain string document and an async credential asked for on every request', async () => {
    let asked = 0;
    const c = clientWith(async () => {
      asked++;
      return platform.devToken;
    });
    const data = await c.request<{ venue: { name: string } }>(`query V($id: ID!) { venue(id: $id) { name } }`, {
      id: world.venue.id,
    });
    await c.request(`{ __typename }`);
    expect(data.venue.name).toBe('Riverside Park');
    expect(asked).toBe(2);
  });
});

describe('typed mutations', () => {
  it('creates a venue and an event and moves the event along its lifecycle', async () => {
    const { createVenue } = await client.request(CreateVenueDocument, {
      input: { organizationId: world.org.id, name: 'Harbour Hall', slug: `harbour-${Date.now()}`, timeZone: 'Europe/Berlin' },
    });
    expect(createVenue).toMatchObject({ name: 'Harbour Hall', city: null });
    const { createEvent } = await client.request(CreateEventDocument, {
      input: {
        venueId: createVenue.id,
        title: 'Quay Nights',
        slug: `quay-${Date.now()}`,
        startsAt: '2027-08-01T18:00:00Z',
        endsAt: '2027-08-01T23:00:00Z',
      },
    });
    expect(createEvent).toMatchObject({ title: 'Quay Nights', status: 'DRAFT', venue: { id: createVenue.id } });
    const { transitionEvent } = await client.request(TransitionEventDocument, { id: createEvent.id, to: 'PUBLISHED' });
    expect(transitionEvent.status).toBe('PUBLISHED');
  });
});

describe('errors', () => {
  it('turns a domain error into an EventgraphError with its code and path', async () => {
    const err = await rejection(client.request(TransitionEventDocument, { id: world.event.id, to: 'ON_SALE' })); // DRAFT → ON_SALE is not allowed
    expect(err.code).toBe('ILLEGAL_TRANSITION');
    expect(err.path).toEqual(['transitionEvent']);
    expect(err.errors).toHaveLength(1);
    expect(err.data).toBeNull();
    expect(isEventgraphError(err, 'ILLEGAL_TRANSITION')).toBe(true);
  });

  it('reports NOT_FOUND and BAD_USER_INPUT from the subgraphs', async () => {
    const notFound = await rejection(
      client.request(CreateEventDocument, {
        input: {
          venueId: '00000000-0000-4000-8000-000000000000',
          title: 'X',
          slug: 'x',
          startsAt: '2027-01-01T00:00:00Z',
          endsAt: '2027-01-02T00:00:00Z',
        },
      }),
    );
    expect(notFound.code).toBe('NOT_FOUND');
    const badInput = await rejection(
      client.request(CreateEventDocument, {
        input: {
          venueId: world.venue.id,
          title: 'X',
          slug: 'x',
          startsAt: '2027-01-02T00:00:00Z',
          endsAt: '2027-01-01T00:00:00Z',
        },
      }),
    );
    expect(badInput.code).toBe('BAD_USER_INPUT');
  });

  it('keeps the partial data of a response that also has errors', async () => {
    const err = await rejection(
      client.request(`query($ok: ID!) { ok: venue(id: $ok) { name } broken: event(id: "not an id") { id } }`, {
        ok: world.venue.id,
      }),
    );
    expect(err.data).toMatchObject({ ok: { name: 'Riverside Park' }, broken: null });
    expect(err.path).toEqual(['broken']);
    expect(err.code).toBe('BAD_USER_INPUT');
  });

  it('reports a document the API does not accept as GRAPHQL_VALIDATION_FAILED', async () => {
    const err = await rejection(client.request(`{ event(id: "1") { nope } }`));
    expect(err.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(err.message).toMatch(/nope/);
  });

  it('reports a refused credential as UNAUTHENTICATED, over HTTP and over the socket', async () => {
    const stranger = clientWith('not-the-token');
    const err = await rejection(stranger.request(EventDetailsDocument, { id: world.event.id }));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.status).toBe(401);

    const stream = stranger.subscribe(CheckInRecordedDocument, { seriesId: world.series.id });
    const closed = await rejection(within(5000, 'refused subscription', stream.next()));
    expect(closed.code).toBe('UNAUTHENTICATED');
    expect(closed.closeCode).toBe(4403);
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('reports an unreachable server as NETWORK_ERROR', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there any more
    const nowhere = createEventgraphClient({ url: `http://127.0.0.1:${port}/graphql`, timeoutMs: 2000 });
    const err = await rejection(nowhere.request(`{ __typename }`));
    expect(err.code).toBe('NETWORK_ERROR');
    expect(err.message).toMatch(/ECONNREFUSED/);
    await nowhere.close();
  });
});

describe('requests that get no answer', () => {
  // a real HTTP server that accepts requests and never answers them
  const hanging = createHttpServer(() => undefined);
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('fail with TIMEOUT after timeoutMs', async () => {
    const c = createEventgraphClient({ url, timeoutMs: 200 });
    const err = await rejection(c.request(`{ __typename }`));
    expect(err.code).toBe('TIMEOUT');
    await c.close();
  });

  it('fail with CLIENT_CLOSED when the client is closed meanwhile, and with the reason of an aborted signal', async () => {
    const c = createEventgraphClient({ url });
    const pending = rejection(c.request(`{ __typename }`));
    const caller = new AbortController();
    const aborted = c.request(`{ __typename }`, {}, { signal: caller.signal });
    caller.abort(new Error('user navigated away'));
    await expect(aborted).rejects.toThrow('user navigated away');
    await c.close();
    expect((await pending).code).toBe('CLIENT_CLOSED');
  });
});

describe('typed subscriptions', () => {
  // each test starts and ends with no subscription open, at the gateway or in a subgraph
  beforeEach(() => waitForNoSubscriptions(platform));
  afterEach(() => waitForNoSubscriptions(platform));

  it('delivers the check-in a mutation records, typed, within a bounded wait', async () => {
    const stream = client.subscribe(CheckInRecordedDocument, { seriesId: world.series.id });
    try {
      await waitForLive(platform, 'checkin.recorded');
      const { checkIn } = await client.request(CheckInDocument, {
        input: { seriesId: world.series.id, gateId: world.gate.id, nfcId: world.wristband.nfcId, direction: 'ENTRY' },
      });
      expect(checkIn).toMatchObject({ allowed: true, reason: null });

      const received = await within(5000, 'checkInRecorded', stream.next());
      expect(received.done).toBe(false);
      expect(received.value?.checkInRecorded).toMatchObject({
        id: checkIn.id,
        allowed: true,
        direction: 'ENTRY',
        gate: { name: 'Main' },
        series: { id: world.series.id, name: 'Day 1' },
        wristband: { category: 'GA' },
      });
    } finally {
      await stream.return();
    }
  });

  it('iterates with for await and ends when the loop is left', async () => {
    const stream = client.subscribe(EventChangedDocument, { eventId: world.event.id });
    await waitForLive(platform, 'event.*');
    await client.request(TransitionEventDocument, { id: world.event.id, to: 'PUBLISHED' });

    const seen: string[] = [];
    await within(
      5000,
      'eventChanged',
      (async () => {
        for await (const { eventChanged } of stream) {
          seen.push(`${eventChanged.kind} ${eventChanged.event!.status} at ${eventChanged.event!.venue?.name}`);
          break;
        }
      })(),
    );
    expect(seen).toEqual(['STATUS_CHANGED PUBLISHED at Riverside Park']);
    await waitForNoSubscriptions(platform); // leaving the loop ended the subscription at the gateway and in the subgraph
  });

  it('ends with an EventgraphError when the server rejects the subscription', async () => {
    const stream = client.subscribe(EventChangedDocument, {}); // neither organizationId nor eventId
    const err = await rejection(within(5000, 'rejected subscription', stream.next()));
    expect(err.code).toBe('BAD_USER_INPUT');
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('ends every subscription on close() and refuses work afterwards', async () => {
    const c = clientWith(platform.devToken);
    const stream = c.subscribe(CheckInRecordedDocument, { gateId: world.gate.id });
    await waitForLive(platform, 'checkin.recorded');
    const pending = stream.next();
    await c.close();
    await expect(within(5000, 'end on close', pending)).resolves.toEqual({ value: undefined, done: true });
    expect((await rejection(c.request(EventDetailsDocument, { id: world.event.id }))).code).toBe('CLIENT_CLOSED');
    await waitForNoSubscriptions(platform);
  });
});
