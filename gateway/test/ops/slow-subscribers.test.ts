/**
 * A graphql-ws connection that stops reading is cut off once the gateway holds more than
 * EVENTGRAPH_MAX_SOCKET_BUFFER_BYTES unsent for it: closed with 4413 SLOW_SUBSCRIBER, its stream ended,
 * counted in /metrics; a subscriber of the same events on another connection receives every one of them.
 * Real gateway on an ephemeral port in front of real graphql-ws subgraphs.
 */
import { once } from 'node:events';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createLogger } from '@eventgraph/runtime';
import { startGateway, type RunningGateway } from '../../src/gateway';
import { composeSupergraph, record, startSubgraphs, waitFor, within, type Subgraphs } from '../subscriptions/harness';

const DEV_TOKEN = 'slow-subscribers-dev-token';
const MAX_SOCKET_BUFFER_BYTES = 256 * 1024;
const CHECK_INS = 'subscription { checkInRecorded(seriesId: "s1") { id at } }';
/** large enough that the kernel's socket buffers fill within a few dozen events */
const PAYLOAD = 'x'.repeat(64 * 1024);

/** A client speaking graphql-transport-ws by hand, so the test can stop it reading (pausing its TCP socket). */
async function rawSubscriber(url: string, query: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  let received = 0;
  const acknowledged = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      const { type } = JSON.parse(String(data)) as { type: string };
      if (type === 'connection_ack') resolve();
      if (type === 'next') received++;
    }),
  );
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${DEV_TOKEN}` } }));
  await within(acknowledged, 'connection_ack');
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
  // ws keeps its TCP socket here; paused, nothing is read, so the kernel's buffers and then the gateway's fill up
  const tcp = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return { closed, received: () => received, pause: () => tcp.pause(), resume: () => tcp.resume() };
}

describe('a subscriber that stops reading', () => {
  let subgraphs: Subgraphs;
  let gateway: RunningGateway;
  let client: Client;
  beforeAll(async () => {
    subgraphs = await startSubgraphs();
    gateway = await startGateway({
      supergraphSdl: composeSupergraph(),
      subgraphUrls: { a: subgraphs.a.url, b: subgraphs.b.url, c: subgraphs.c.url },
      port: 0,
      principalSecret: 'slow-subscribers-principal-secret-0123',
      jwtSecret: 'slow-subscribers-jwt-secret-0123456789abcdef',
      devToken: DEV_TOKEN,
      publishedDocuments: new Map(),
      connectionRevalidationMs: 0,
      overload: { maxSocketBufferBytes: MAX_SOCKET_BUFFER_BYTES },
      logger: createLogger('slow-subscribers-test', 'silent'),
    });
    client = createClient({
      url: gateway.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${DEV_TOKEN}` },
    });
  });
  afterAll(async () => {
    await client?.dispose();
    await gateway?.stop();
    await subgraphs?.killAll();
  });

  const metric = async (series: string) => {
    const text = await (await fetch(new URL('/metrics', gateway.url))).text();
    return Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  const untilMetric = async (series: string, value: number) => {
    const deadline = Date.now() + 10_000;
    while ((await metric(series)) !== value && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await metric(series)).toBe(value);
  };
  const OPEN = 'eventgraph_subscriptions_open{service="gateway"}';
  const CUT_OFF = 'eventgraph_slow_subscribers_closed_total{service="gateway"}';

  it('is closed with 4413 SLOW_SUBSCRIBER while a subscriber on another connection receives every event', async () => {
    const steady = record(client, CHECK_INS);
    const slow = await rawSubscriber(gateway.wsUrl, CHECK_INS);
    await untilMetric(OPEN, 2);
    await waitFor(() => subgraphs.liveSubscriptions() === 1, 'one shared upstream subscription');
    slow.pause();

    // events in batches, each delivered to the steady subscriber before the next: until the slow one is cut off
    const published: string[] = [];
    const publish = (count: number) => {
      for (let i = 0; i < count; i++) {
        const id = `c${published.length}`;
        published.push(id);
        subgraphs.publish({ id, seriesId: 's1', at: PAYLOAD });
      }
      return waitFor(
        () => steady.results.length === published.length,
        `the steady subscriber to receive ${published.length}`,
        10_000,
      );
    };
    while (published.length < 600 && (await metric(CUT_OFF)) === 0) await publish(10);
    expect(await metric(CUT_OFF)).toBe(1);

    // the close frame waits behind what the client had not read: reading again, it gets there
    slow.resume();
    expect(await within(slow.closed, 'the slow subscriber’s socket to close')).toEqual({ code: 4413, reason: 'SLOW_SUBSCRIBER' });
    expect(slow.received()).toBeLessThan(published.length); // the rest was dropped, not kept for it
    await untilMetric(OPEN, 1);
    expect(gateway.engine.upstreamCount()).toBe(1);

    await publish(5);
    expect(steady.results.map((result) => (result.data as { checkInRecorded: { id: string } }).checkInRecorded.id)).toEqual(
      published,
    );
    steady.unsubscribe();
  });
});
