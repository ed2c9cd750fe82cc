import { randomBytes } from 'node:crypto';
import { startGateway, type RunningGateway } from '@eventgraph/gateway';
import { openEventStream, type EventStreamClient } from '@eventgraph/gateway/test/sse/event-stream-client';
import { createLogger } from '@eventgraph/runtime';
import { createEventgraphClient, EventChangedDocument, type EventgraphClient } from '@eventgraph/sdk';
import Redis from 'ioredis';
import { composePlatform } from '../src/compose';
import { createDemoWorld } from './support/demo-data';
import { startTcpBalancer } from './support/tcp-balancer';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Server-sent events resumed on another gateway replica: with Redis, every stream's replay is kept there
 * too, so a client that reconnects elsewhere with its Last-Event-ID gets what it missed (at least once),
 * or `reset` when the other replica's record does not reach the new stream (it stopped, another caller's
 * stream, more than the bounds keep). Two real gateways in front of the same subgraphs and bus, one Redis.
 */
process.env.EVENTGRAPH_SSE_REPLAY_EVENTS = '3';
process.env.EVENTGRAPH_SSE_REPLAY_SECONDS = '5';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:sse:${randomBytes(4).toString('hex')}:`;
let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
const gateways: RunningGateway[] = [];
const streams: EventStreamClient[] = [];
let renames = 0;

async function replica(name: string) {
  const composition = composePlatform();
  if (!composition.ok) throw new Error(composition.errors.join('\n'));
  const gateway = await startGateway({
    supergraphSdl: composition.supergraphSdl,
    port: 0,
    subgraphUrls: Object.fromEntries(Object.entries(platform.subgraphs).map(([n, s]) => [n, s.url])),
    principalSecret: platform.settings.EVENTGRAPH_PRINCIPAL_SECRET,
    jwtSecret: platform.settings.EVENTGRAPH_JWT_SECRET,
    devToken: platform.devToken,
    bus: platform.bus,
    sseReplayRedis: { url: REDIS_URL, prefix },
    logger: createLogger(name, 'silent'),
  });
  gateways.push(gateway);
  return gateway;
}

async function open(gateway: RunningGateway, path: string, lastEventId?: string) {
  const stream = await openEventStream(gateway.url.replace(/\/graphql$/, path), {
    authorization: `Bearer ${platform.devToken}`,
    ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
  });
  streams.push(stream);
  return stream;
}

async function rename() {
  const title = `Edit ${renames++}`;
  await platform.data(`mutation($id: ID!, $title: String!) { updateEvent(id: $id, input: { title: $title }) { id } }`, {
    id: world.event.id,
    title,
  });
  return title;
}

const titled = (title: string) => (m: { event?: string; data?: string }) =>
  m.event === 'next' && JSON.parse(m.data!).data?.eventChanged?.event?.title === title;
const titles = (stream: EventStreamClient) => stream.nexts().map((m) => m.data.eventChanged.event.title as string);

let a: RunningGateway;
let b: RunningGateway;
beforeAll(async () => {
  platform = await startTestPlatform();
  world = await createDemoWorld(platform);
  [a, b] = [await replica('gateway-a'), await replica('gateway-b')];
}, 180_000);
afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await platform?.stop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('event streams across gateway replicas (Redis)', () => {
  it('replays on another replica what a client missed after its Last-Event-ID, then follows on there', async () => {
    const path = `/events/stream?eventId=${world.event.id}`;
    // a second reader on A shows when the changes have reached it
    const witness = await open(a, path);
    const reader = await open(a, path);
    const first = await reader.until(titled(await rename()));
    await reader.close();
    const missed = [await rename(), await rename()];
    for (const title of missed) await witness.until(titled(title));

    const back = await open(b, path, first.id);
    expect(back.status).toBe(200);
    await back.until(titled(missed[1]!));
    const live = await rename();
    await back.until(titled(live));
    expect(back.messages.some((m) => m.event === 'reset')).toBe(false);
    // at least once and in order; the replica's own events where the two overlap may repeat
    expect([...new Set(titles(back))]).toEqual([...missed, live]);
    // from here on the client's Last-Event-ID is B's own stream's
    expect(back.nexts().at(-1)!.id.split('.')[0]).not.toBe(first.id!.split('.')[0]);

    const redis = new Redis(REDIS_URL);
    const token = first.id!.split('.')[0];
    const ttl = await redis.pttl(`${prefix}${token}:log`);
    expect(await redis.llen(`${prefix}${token}:log`)).toBeLessThanOrEqual(3); // the same bound as the buffer
    await redis.quit();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000 + 500); // the replay window (and a heartbeat)
  });

  it('lets the SDK, behind a load balancer, resume on the other replica when its own goes away', async () => {
    const balancer = await startTcpBalancer();
    const port = (gateway: RunningGateway) => Number(new URL(gateway.url).port);
    balancer.add(port(a));
    const clients: EventgraphClient[] = [];
    const client = (url: string) => {
      const made = createEventgraphClient({
        url,
        credential: platform.devToken,
        reconnect: { attempts: 1_000, baseDelayMs: 50, maxDelayMs: 200 },
      });
      clients.push(made);
      return made;
    };
    try {
      const variables = { eventId: world.event.id };
      let ready!: () => void;
      const witnessReady = new Promise<void>((resolve) => (ready = resolve));
      // a reader on A directly: it shows when the changes have reached A
      const witness = client(a.url).stream(EventChangedDocument, variables, {
        onConnection: (e) => e.type === 'connected' && ready(),
      });
      await witnessReady;
      const resets: unknown[] = [];
      let connected!: () => void;
      const readerReady = new Promise<void>((resolve) => (connected = resolve));
      const reader = client(balancer.url('/graphql')).stream(EventChangedDocument, variables, {
        onReset: (e) => resets.push(e),
        onConnection: (e) => e.type === 'connected' && connected(),
      });
      await readerReady;
      const titleOf = async (stream: typeof reader) => (await stream.next()).value?.eventChanged.event?.title;
      const first = await rename();
      expect([await titleOf(reader), await titleOf(witness)]).toEqual([first, first]);

      const reading = titleOf(reader);
      balancer.remove(port(a)); // A leaves the balancer; its stream lingers and records to Redis
      balancer.cut();
      const missed = [await rename(), await rename()];
      for (const title of missed) expect(await titleOf(witness)).toBe(title);
      balancer.add(port(b));
      expect([await reading, await titleOf(reader)]).toEqual(missed);
      const live = await rename();
      expect(await titleOf(reader)).toBe(live);
      expect(resets).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await balancer.close();
    }
  });

  it('says `reset` on another replica when more was missed than is kept', async () => {
    const path = `/events/stream?organizationId=${world.org.id}&eventId=${world.event.id}`;
    const witness = await open(a, path);
    const reader = await open(a, path);
    const first = await reader.until(titled(await rename()));
    await reader.close();
    for (let i = 0; i < 4; i++) await witness.until(titled(await rename())); // one more than the 3 kept
    const back = await open(b, path, first.id);
    const reset = await back.until((m) => m.event === 'reset');
    expect(JSON.parse(reset.data!).errors[0].extensions.code).toBe('EVENTS_MISSED');
    expect(back.nexts()).toEqual([]);
    await back.until(titled(await rename())); // and follows on
  });

  it('says `reset` for another caller’s stream id, and when the replica that served it stopped before', async () => {
    const reader = await open(a, `/events/stream?eventId=${world.event.id}`);
    const first = await reader.until(titled(await rename()));
    // the same id on another stream (another operation): not this stream's to replay
    const other = await open(b, `/events/stream?organizationId=${world.org.id}`, first.id);
    expect(JSON.parse((await other.until((m) => m.event === 'reset')).data!).errors[0].extensions.code).toBe('EVENTS_MISSED');

    const c = await replica('gateway-c');
    // a stream of its own (no other test's lingers on B): its record on C ends when C stops
    const query = `subscription Stopped($id: ID) { eventChanged(eventId: $id) { event { title } } }`;
    const path = `/graphql/stream?${new URLSearchParams({ query, variables: JSON.stringify({ id: world.event.id }) })}`;
    const onC = await open(c, path);
    const seen = await onC.until(titled(await rename()));
    await onC.close();
    await c.stop();
    await rename(); // reaches no stream of this caller: B must not claim to replay it
    const back = await open(b, path, seen.id);
    expect(JSON.parse((await back.until((m) => m.event === 'reset')).data!).errors[0].extensions.code).toBe('EVENTS_MISSED');
  });
});
