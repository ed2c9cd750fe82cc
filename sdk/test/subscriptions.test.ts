import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import {
  closeError,
  createEventgraphClient,
  EventChangedDocument,
  EventgraphError,
  type ConnectionEvent,
  type EventgraphClient,
  type EventgraphClientOptions,
} from '../src';
import { backoffDelay } from '../src/socket';
import { createDemoWorld } from '../../platform/test/support/demo-data';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';
import { trackLiveSubscriptions, waitForLive, within } from './support';

let platform: TestPlatform;
let world: Awaited<ReturnType<typeof createDemoWorld>>;
const clients: EventgraphClient[] = [];

function clientWith(extra: Partial<EventgraphClientOptions> = {}) {
  const client = createEventgraphClient({
    url: platform.gateway.url,
    credential: platform.devToken,
    webSocketImpl: WebSocket,
    ...extra,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  trackLiveSubscriptions(platform);
  world = await createDemoWorld(platform);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await platform?.stop();
});

const rename = (title: string) =>
  platform.data(`mutation($id: ID!, $title: String!) { updateEvent(id: $id, input: { title: $title }) { id } }`, {
    id: world.event.id,
    title,
  });

describe('reconnection', () => {
  it('survives a gateway restart: reports closed → reconnecting → connected, resubscribes and delivers again', async () => {
    const events: ConnectionEvent[] = [];
    const client = clientWith({ reconnect: { attempts: 40, baseDelayMs: 50, maxDelayMs: 400 } });
    client.onConnection((event) => events.push(event));
    const changes = client.subscribe(EventChangedDocument, { eventId: world.event.id });
    try {
      const first = changes.next();
      await waitForLive(platform, 'event.*');
      await rename('Before the restart');
      expect((await within(5000, 'first change', first)).value?.eventChanged.event?.title).toBe('Before the restart');

      const restart = await platform.stopGateway();
      await within(
        5000,
        'the drop to be seen',
        until(() => events.some((e) => e.type === 'reconnecting')),
      );
      await restart(); // platform.gateway is the new one
      await within(
        20_000,
        'reconnection',
        until(() => events.some((e) => e.type === 'connected' && e.reconnected)),
      );
      await waitForLive(platform, 'event.*'); // resubscribed by graphql-ws, through the new gateway to the subgraph

      const next = changes.next();
      await rename('After the restart');
      expect((await within(5000, 'change after reconnecting', next)).value?.eventChanged.event?.title).toBe('After the restart');

      const kinds = events.map((e) => e.type);
      expect(kinds.slice(0, 2)).toEqual(['connecting', 'connected']);
      const closed = events.find((e) => e.type === 'closed');
      // the gateway going away (1001) is a typed error, not the end of the subscription
      expect(closed).toMatchObject({ type: 'closed', closeCode: 1001 });
      expect(closed?.type === 'closed' && closed.error?.code).toBe('CONNECTION_CLOSED');
      expect(kinds.indexOf('reconnecting')).toBeGreaterThan(kinds.indexOf('closed'));
      expect(kinds.at(-1)).toBe('connected');
      for (const e of events) if (e.type === 'reconnecting') expect(e.delayMs).toBeLessThanOrEqual(400);
    } finally {
      await changes.return();
    }
  }, 60_000);

  it('waits with exponential back-off and full jitter, capped', () => {
    const options = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, options, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(10, options, () => 1)).toBe(30_000);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
    expect(spread.size).toBeGreaterThan(10); // jitter: clients dropped together do not return together
  });

  it('gives up after its attempts and ends the subscription with a typed error', async () => {
    const port = await freePort();
    const client = createEventgraphClient({
      url: `http://127.0.0.1:${port}/graphql`,
      webSocketImpl: WebSocket,
      reconnect: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
    clients.push(client);
    const reconnecting: number[] = [];
    client.onConnection((e) => e.type === 'reconnecting' && reconnecting.push(e.attempt));
    const changes = client.subscribe(EventChangedDocument, { eventId: world.event.id });
    const err = await within(
      5000,
      'giving up',
      changes.next().catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(EventgraphError);
    // the socket's error event (connection refused) comes before its close: a network error
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(reconnecting).toEqual([1, 2]);
  });

  it('never leaves a rejection unhandled, whatever fails and whether or not anyone reads it', async () => {
    // in a process of its own, where Node itself watches: --unhandled-rejections=strict ends it at the first one
    const port = await freePort();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [
          '--unhandled-rejections=strict',
          '--import',
          'tsx',
          join(__dirname, 'fixtures', 'quiet-failures.ts'),
          platform.gateway.url,
          `http://127.0.0.1:${port}/graphql`,
        ],
        { timeout: 30_000 },
        (error, out, err) => resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout: out, stderr: err }),
      ),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(['NETWORK_ERROR', 'NETWORK_ERROR', 'UNAUTHENTICATED', 'done', 'CLIENT_CLOSED']);
  }, 40_000);
});

describe('close codes', () => {
  it('gives every graphql-ws close code its own typed error', () => {
    const expected: Record<number, string> = {
      [CloseCode.InternalServerError]: 'INTERNAL_SERVER_ERROR',
      [CloseCode.InternalClientError]: 'PROTOCOL_ERROR',
      [CloseCode.BadRequest]: 'PROTOCOL_ERROR',
      [CloseCode.BadResponse]: 'BAD_RESPONSE',
      [CloseCode.Unauthorized]: 'UNAUTHENTICATED',
      [CloseCode.Forbidden]: 'UNAUTHENTICATED',
      [CloseCode.SubprotocolNotAcceptable]: 'PROTOCOL_ERROR',
      [CloseCode.ConnectionInitialisationTimeout]: 'TIMEOUT',
      [CloseCode.ConnectionAcknowledgementTimeout]: 'TIMEOUT',
      [CloseCode.SubscriberAlreadyExists]: 'PROTOCOL_ERROR',
      [CloseCode.TooManyInitialisationRequests]: 'PROTOCOL_ERROR',
      4499: 'CONNECTION_CLOSED', // graphql-ws's client.terminate()
      4413: 'SLOW_SUBSCRIBER', // the gateway's own: the client left too much unread
      1000: 'CONNECTION_CLOSED',
      1001: 'CONNECTION_CLOSED',
      1006: 'NETWORK_ERROR',
      1011: 'INTERNAL_SERVER_ERROR',
    };
    // graphql-ws's enum is the list: a code added there fails here until it is mapped
    const numeric = Object.values(CloseCode).filter((v): v is number => typeof v === 'number');
    expect(numeric.filter((code) => !(code in expected))).toEqual([]);
    for (const [code, typed] of Object.entries(expected)) {
      const err = closeError({ code: Number(code), reason: 'why' }, 'ws://gateway/graphql');
      expect(err).toBeInstanceOf(EventgraphError);
      expect({ code: err.code, closeCode: err.closeCode }).toEqual({ code: typed, closeCode: Number(code) });
      expect(err.errors[0]?.extensions).toMatchObject({ code: typed, closeCode: Number(code), reason: 'why' });
      expect(err.message).toContain(`closed with ${code} why`);
    }
  });

  it('reports a credential the gateway refuses at connection_init as 4403 UNAUTHENTICATED, not retried', async () => {
    const client = clientWith({ credential: 'not-a-credential', reconnect: { attempts: 5, baseDelayMs: 10 } });
    const events: ConnectionEvent[] = [];
    client.onConnection((e) => events.push(e));
    const changes = client.subscribe(EventChangedDocument, { eventId: world.event.id });
    const err = (await within(
      5000,
      'refusal',
      changes.next().catch((e: unknown) => e),
    )) as EventgraphError;
    expect({ code: err.code, closeCode: err.closeCode }).toEqual({ code: 'UNAUTHENTICATED', closeCode: 4403 });
    expect(events.filter((e) => e.type === 'reconnecting')).toEqual([]);
  });

  it('ends a waiting next() at once when the subscription is returned, without waiting for an event', async () => {
    const client = clientWith();
    const changes = client.subscribe(EventChangedDocument, { eventId: world.event.id });
    const pending = changes.next();
    await waitForLive(platform, 'event.*');
    await changes.return();
    await expect(within(2000, 'pending next after return', pending)).resolves.toEqual({ value: undefined, done: true });
  });
});

function until(done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setTimeout(check, 20));
    check();
  });
}

/** a port nothing listens on */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
