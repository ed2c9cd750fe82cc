import {
  apiKeyCredential,
  createEventgraphClient,
  EventChangedDocument,
  EventgraphError,
  type ConnectionEvent,
  type EventgraphClient,
  type EventgraphClientOptions,
  type EventgraphEventStream,
  type StreamOptions,
} from '../src';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTcpBalancer, type TcpBalancer } from '../../platform/test/support/tcp-balancer';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { within } from './support';

/**
 * The SDK's server-sent event streams against the real gateway: typed deliveries, a connection the network
 * drops (through a TCP relay that can cut it) resumed with Last-Event-ID and replayed, `reset` once the
 * replay buffer no longer covers the gap, refusals with their codes, and cancellation.
 */
// small bounds so the test can cross them: 3 events kept for 5 s, reconnect hint 100 ms
process.env.EVENTGRAPH_SSE_REPLAY_EVENTS = '3';
process.env.EVENTGRAPH_SSE_REPLAY_SECONDS = '5';
process.env.EVENTGRAPH_SSE_RETRY_MS = '100';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
let relay: TcpBalancer;
const clients: EventgraphClient[] = [];
let renames = 0;

const gatewayPort = () => Number(new URL(platform.gateway.url).port);
function clientWith(extra: Partial<EventgraphClientOptions> = {}) {
  const client = createEventgraphClient({
    url: platform.gateway.url,
    credential: platform.devToken,
    reconnect: { attempts: 1_000, baseDelayMs: 50, maxDelayMs: 200 },
    ...extra,
  });
  clients.push(client);
  return client;
}

/** Changes the demo event's title (one `eventChanged` for every stream of it) and returns the title. */
async function rename(eventId = world.event.id) {
  const title = `Edit ${renames++}`;
  await platform.data(`mutation($id: ID!, $title: String!) { updateEvent(id: $id, input: { title: $title }) { id } }`, {
    id: eventId,
    title,
  });
  return title;
}

/** Opens a stream and waits until the gateway serves it (the subgraph accepted the subscription). */
async function opened<T>(open: (options: StreamOptions) => EventgraphEventStream<T>, options: StreamOptions = {}) {
  const events: ConnectionEvent[] = [];
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const stream = open({
    ...options,
    onConnection: (event) => {
      events.push(event);
      if (event.type === 'connected') connected();
    },
  });
  await within(10_000, 'the stream opening', ready);
  return { stream, events };
}

const titleOf = async (stream: EventgraphEventStream<{ eventChanged: { event?: { title: string } | null } }>) =>
  (await within(10_000, 'an event', stream.next())).value?.eventChanged.event?.title;

beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  relay = await startTcpBalancer();
  relay.add(gatewayPort());
}, 180_000);
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await relay?.close();
  await platform?.stop();
});

describe('event streams', () => {
  it('delivers typed events of a document (POST /graphql/stream) and of a named stream (/events/stream)', async () => {
    const client = clientWith();
    const { stream: typed } = await opened((o) => client.stream(EventChangedDocument, { eventId: world.event.id }, o));
    const { stream: named } = await opened((o) =>
      client.streamNamed<{ eventChanged: { kind: string; event: { title: string } } }>(
        '/events/stream',
        { eventId: world.event.id },
        o,
      ),
    );
    const title = await rename();
    const change = await within(10_000, 'the typed event', typed.next());
    expect(change.value?.eventChanged).toMatchObject({ kind: 'UPDATED', event: { id: world.event.id, title } });
    expect(change.value?.eventChanged.event?.venue?.id).toBe(world.venue.id); // resolved across subgraphs
    expect((await within(10_000, 'the named event', named.next())).value?.eventChanged.event.title).toBe(title);
    expect(typed.lastEventId).toMatch(/^[\w-]+\.\d+$/);
  });

  it('goes by hash with persistedDocuments: hash-only (the SDK’s operations are trusted documents)', async () => {
    const client = clientWith({ persistedDocuments: 'hash-only' });
    const { stream } = await opened((o) => client.stream(EventChangedDocument, { eventId: world.event.id }, o));
    const title = await rename();
    expect(await titleOf(stream)).toBe(title);
  });

  it('reconnects after the connection drops and gets what it missed first (Last-Event-ID), then goes on live', async () => {
    const variables = { eventId: world.event.id };
    // a reader of the same stream on a connection that stays: it shows when the changes reached the gateway
    const { stream: witness } = await opened((o) => clientWith().stream(EventChangedDocument, variables, o));
    const resets: EventgraphError[] = [];
    const { stream, events } = await opened((o) =>
      clientWith({ url: relay.url('/graphql') }).stream(EventChangedDocument, variables, {
        ...o,
        onReset: (e) => resets.push(e),
      }),
    );
    const before = await rename();
    expect([await titleOf(stream), await titleOf(witness)]).toEqual([before, before]);

    const reading = stream.next(); // a reader waiting: it sees the drop at once
    relay.remove(gatewayPort()); // reconnection attempts fail until it is back
    relay.cut();
    await within(
      5_000,
      'a failed reconnection',
      until(() => events.filter((e) => e.type === 'reconnecting').length >= 2),
    );
    const missed = [await rename(), await rename()];
    expect([await titleOf(witness), await titleOf(witness)]).toEqual(missed);
    relay.add(gatewayPort());

    const replayed = (await within(10_000, 'the replay', reading)).value?.eventChanged.event?.title;
    expect([replayed, await titleOf(stream)]).toEqual(missed);
    const live = await rename();
    expect(await titleOf(stream)).toBe(live);
    expect(resets).toEqual([]);
    expect(events.map((e) => e.type)).toContain('reconnecting');
    expect(events.filter((e) => e.type === 'connected').at(-1)).toEqual({ type: 'connected', reconnected: true });
  });

  it('says `reset` when the gateway no longer keeps what was missed: onReset, or the iteration ends with EVENTS_MISSED', async () => {
    const variables = { organizationId: world.org.id, eventId: world.event.id };
    const { stream: witness } = await opened((o) => clientWith().stream(EventChangedDocument, variables, o));
    const resets: EventgraphError[] = [];
    const relayed = clientWith({ url: relay.url('/graphql') });
    const { stream: told } = await opened((o) =>
      relayed.stream(EventChangedDocument, variables, { ...o, onReset: (e) => resets.push(e) }),
    );
    const { stream: strict } = await opened((o) => relayed.stream(EventChangedDocument, variables, o));
    const first = await rename();
    expect([await titleOf(told), await titleOf(strict), await titleOf(witness)]).toEqual([first, first, first]);

    const toldNext = told.next(); // readers waiting: they see the drop at once
    const strictEnd = strict.next().catch((error: unknown) => error);
    relay.remove(gatewayPort());
    relay.cut();
    // one more than the 3 kept
    for (let i = 0; i < 4; i++) {
      const title = await rename();
      expect(await titleOf(witness)).toBe(title);
    }
    relay.add(gatewayPort());

    await within(
      10_000,
      'onReset',
      until(() => resets.length > 0),
    );
    expect(resets[0]).toMatchObject({ code: 'EVENTS_MISSED' });
    const after = await rename();
    // from the reset on, the stream follows on
    expect((await within(10_000, 'the event after the reset', toldNext)).value?.eventChanged.event?.title).toBe(after);
    expect(await within(10_000, 'the strict stream ending', strictEnd)).toMatchObject({ code: 'EVENTS_MISSED' });
    expect(await strict.next()).toEqual({ value: undefined, done: true });
  });

  it('fails with the gateway’s code and status when it refuses the stream, without retrying it', async () => {
    const refusal = async (stream: EventgraphEventStream<unknown>) => {
      const err = await within(10_000, 'the refusal', stream.next()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EventgraphError);
      return [(err as EventgraphError).status, (err as EventgraphError).code];
    };
    const client = clientWith();
    expect({
      noFilter: await refusal(client.streamNamed('/events/stream')),
      unknownVenue: await refusal(client.streamNamed('/venues/stream', { venueId: '00000000-0000-4000-8000-000000000000' })),
      notValid: await refusal(client.stream('subscription { noSuchField }')),
      badCredential: await refusal(
        clientWith({ credential: 'not-a-token' }).streamNamed('/events/stream', { eventId: world.event.id }),
      ),
    }).toEqual({
      noFilter: [400, 'BAD_USER_INPUT'],
      unknownVenue: [404, 'NOT_FOUND'],
      notValid: [400, 'GRAPHQL_VALIDATION_FAILED'],
      badCredential: [401, 'UNAUTHENTICATED'],
    });
  });

  it('ends with the error the gateway ends the stream with (an API key revoked while reading)', async () => {
    const { createPartnerApp: app } = await platform.data(
      `mutation($o: ID!) { createPartnerApp(organizationId: $o, name: "Board", whiteLabel: { brandName: "Board" }) { id } }`,
      { o: world.org.id },
    );
    const { createApiKey: key } = await platform.data(
      `mutation($a: ID!) { createApiKey(partnerAppId: $a, name: "board", scopes: ["events:read"]) { apiKey { id } secret } }`,
      { a: app.id },
    );
    const client = clientWith({ credential: apiKeyCredential(key.secret) });
    const { stream } = await opened((o) => client.streamNamed('/events/stream', { organizationId: world.org.id }, o));
    const ending = stream.next();
    await platform.data(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id });
    await expect(within(10_000, 'the error', ending)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'INVALID_CREDENTIAL',
    });
  });

  it('ends at once on return(), its AbortSignal or client.close(), also while a next() waits', async () => {
    const variables = { eventId: world.event.id };
    const client = clientWith();
    const { stream: returned } = await opened((o) => client.stream(EventChangedDocument, variables, o));
    const waiting = returned.next();
    await returned.return();
    expect(await within(2_000, 'return()', waiting)).toEqual({ value: undefined, done: true });

    const abort = new AbortController();
    const { stream: aborted } = await opened((o) =>
      client.stream(EventChangedDocument, variables, { ...o, signal: abort.signal }),
    );
    const pending = aborted.next();
    abort.abort();
    expect(await within(2_000, 'abort()', pending)).toEqual({ value: undefined, done: true });

    const { stream: closed } = await opened((o) => client.stream(EventChangedDocument, variables, o));
    const last = closed.next();
    await client.close();
    expect(await within(2_000, 'close()', last)).toEqual({ value: undefined, done: true });
    await expect(client.stream(EventChangedDocument, variables).next()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
