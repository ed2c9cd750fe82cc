/**
 * A subgraph that hangs costs a request its timeout, never the gateway; one that keeps failing is
 * not asked for a while (circuit open, answered at once); /ready says which; a caller lookup the
 * users subgraph does not answer fails with 503 instead of hanging. Real gateway, real subgraphs.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { closeGracefully, listen } from '@eventgraph/runtime';
import { startGateway, type RunningGateway } from '../../src/gateway';
import { SubgraphGuard } from '../../src/execution/subgraph-guard';
import { FEDERATION_LINK, composeFixture, recordingLogger, startSubgraph, type RunningSubgraph } from '../federation/harness';
import { coreSemantics } from '../federation/fixtures/core-semantics';

/** Passes requests to `target` unless told to hang (then it never answers). */
async function switchableProxy(target: () => string) {
  let hanging = false;
  const server: Server = createServer((req, res) => {
    if (hanging) return; // never answers
    const url = new URL(target());
    const upstream = httpRequest(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // the gateway may give up first (its timeout): the proxied request just ends
    upstream.on('error', () => res.destroy());
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    hang: (on: boolean) => void (hanging = on),
    stop: () => {
      server.closeAllConnections();
      return closeGracefully(server, 100);
    },
  };
}

const USERS = {
  name: 'users',
  sdl: `${FEDERATION_LINK(['@key'])} type Query { ping: String }`,
  resolvers: { Query: { ping: () => 'pong' } },
};

describe('subgraph timeouts, circuit breaker and readiness on the real gateway', () => {
  let subgraphs: RunningSubgraph[];
  let items: Awaited<ReturnType<typeof switchableProxy>>;
  let users: Awaited<ReturnType<typeof switchableProxy>>;
  let gateway: RunningGateway;
  const log = recordingLogger();

  beforeAll(async () => {
    subgraphs = await Promise.all([...coreSemantics, USERS].map(startSubgraph));
    const url = (name: string) => subgraphs.find((s) => s.name === name)!.url;
    items = await switchableProxy(() => url('items'));
    users = await switchableProxy(() => url('users'));
    const supergraphSdl = composeFixture(
      [...coreSemantics, USERS].map((f) => ({
        ...f,
        url: f.name === 'items' ? items.url : f.name === 'users' ? users.url : url(f.name),
      })),
    );
    gateway = await startGateway({
      supergraphSdl,
      port: 0,
      principalSecret: 'ops-test-principal-secret-0123456789',
      jwtSecret: 'ops-test-jwt-secret-0123456789abcdef',
      logger: log.logger,
      subgraphGuard: { timeoutMs: 300, failuresToOpen: 2, openMs: 600 },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([items?.stop(), users?.stop(), ...(subgraphs ?? []).map((s) => s.stop())]);
  });

  const query = async (text: string, headers: Record<string, string> = {}) => {
    const started = performance.now();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: text }),
    });
    const body = (await response.json()) as { data?: any; errors?: Array<{ path?: unknown[]; extensions?: { code?: string } }> };
    return { status: response.status, body, ms: performance.now() - started };
  };
  const ready = async () => {
    const response = await fetch(new URL('/ready', gateway.url));
    return { status: response.status, body: (await response.json()) as { status: string; subgraphs: Record<string, string> } };
  };
  const ORDERS = 'query Orders { orders { quantity item { name price } } }';

  it('answers, is ready, and logs each request at info with its operation and kind of caller', async () => {
    const { body } = await query(ORDERS);
    expect(body.errors).toBeUndefined();
    expect(body.data.orders[0]).toEqual({ quantity: 2, item: { name: 'Tent', price: expect.any(String) } });
    expect(await ready()).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ready', subgraphs: { shop: 'up', items: 'up', users: 'up' } }),
    });
    const line = log.lines.find((l) => l.msg === 'request' && l.operationName === 'Orders');
    expect(line).toEqual(
      expect.objectContaining({
        level: 30,
        status: 200,
        callerKind: 'anonymous',
        requestId: expect.any(String),
        durationMs: expect.any(Number),
      }),
    );
  });

  it('gives a hanging subgraph its timeout: its fields are null with SUBGRAPH_TIMEOUT, the rest is answered', async () => {
    items.hang(true);
    const { body, ms } = await query(ORDERS);
    expect(ms).toBeLessThan(2_000);
    expect(body.data.orders.map((o: { quantity: number }) => o.quantity)).toEqual([2, 1]);
    expect(body.data.orders.map((o: { item: { price: unknown } }) => o.item.price)).toEqual([null, null]);
    expect(body.errors?.map((e) => [e.extensions?.code, e.path?.slice(0, 3)])).toEqual([
      ['SUBGRAPH_TIMEOUT', ['orders', 0, 'item']],
      ['SUBGRAPH_TIMEOUT', ['orders', 1, 'item']],
    ]);
  });

  it('opens the circuit after repeated failures: answered at once with SUBGRAPH_UNAVAILABLE, and /ready says so', async () => {
    await query(ORDERS); // the second failure in a row opens it
    const { body, ms } = await query(ORDERS);
    expect(ms).toBeLessThan(250);
    expect(new Set(body.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['SUBGRAPH_UNAVAILABLE']));
    const { status, body: report } = await ready();
    expect(status).toBe(503);
    expect(report.subgraphs.items).toBe('circuit open');
  });

  it('closes it again once the subgraph answers a probe after the open period', async () => {
    items.hang(false);
    await new Promise((r) => setTimeout(r, 700));
    const { body } = await query(ORDERS);
    expect(body.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 2_100)); // readiness probes are reused for 2 s
    expect((await ready()).status).toBe(200);
  });

  it('answers 503 SUBGRAPH_UNAVAILABLE when the users subgraph does not answer a caller lookup in time', async () => {
    users.hang(true);
    try {
      const { status, body, ms } = await query(ORDERS, { authorization: 'Bearer egk_0123456789abcdef0123456789abcdef' });
      expect(status).toBe(503);
      expect(body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      expect(ms).toBeLessThan(2_000);
    } finally {
      users.hang(false);
    }
  });
});

describe('the circuit breaker', () => {
  it('opens after the failures in a row, lets one probe through after the open period, and closes or reopens on it', () => {
    let now = 0;
    const guard = new SubgraphGuard({ timeoutMs: 100, failuresToOpen: 3, openMs: 1_000 }, () => now);
    guard.failed();
    guard.succeeded(); // a success in between starts the count again
    guard.failed();
    guard.failed();
    expect(guard.admit()).toBe(true);
    guard.failed();
    expect(guard.state).toBe('open');
    expect(guard.admit()).toBe(false);
    now = 1_000;
    expect(guard.admit()).toBe(true); // the probe
    expect(guard.admit()).toBe(false); // only one at a time
    guard.failed();
    expect(guard.state).toBe('open');
    now = 2_000;
    expect(guard.admit()).toBe(true);
    guard.succeeded();
    expect(guard.state).toBe('closed');
    expect(guard.admit()).toBe(true);
  });
});
