/**
 * Past its bounds the platform answers at once with 503, Retry-After and OVERLOADED instead of queueing:
 * the gateway past its requests in flight or while its event loop lags, a subgraph past its own bound (the
 * gateway passes the subgraph's OVERLOADED on). /health, /ready and /metrics are always answered. Real
 * gateway on an ephemeral port, in front of a real runtime subgraph server whose `slow` field waits
 * until the test releases it.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningGateway } from '../../src/gateway';
import { DEV_TOKEN, startGatewayBefore, startSlowSubgraph, type SlowSubgraph } from './slow-subgraph';
import { waitFor } from '../subscriptions/harness';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: Record<string, unknown> }> };
}

/** POSTs each query at once; `answered` fills as answers arrive, in their order. */
function fire(gateway: RunningGateway, queries: string[]) {
  const answered: Answer[] = [];
  const all = Promise.all(
    queries.map(async (query) => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
        body: JSON.stringify({ query }),
      });
      const answer: Answer = {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as Answer['body'],
      };
      answered.push(answer);
      return answer;
    }),
  );
  return { answered, all };
}

/** `n` slow queries, each its own operation: identical queries in flight at once would reach the subgraph once */
const slowQueries = (n: number) => Array.from({ length: n }, (_, i) => `query Slow${i} { slow }`);

const get = (gateway: RunningGateway, path: string) => fetch(new URL(path, gateway.url));
/** One sample of a Prometheus text exposition, by its series as written (`name{labels}`). */
const sample = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('the gateway past EVENTGRAPH_MAX_IN_FLIGHT', () => {
  let subgraph: SlowSubgraph;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startSlowSubgraph(0);
    gateway = await startGatewayBefore(subgraph, { loadShedding: { maxInFlight: 4, maxEventLoopDelayMs: 0 } });
  });
  afterAll(async () => {
    subgraph?.release();
    await gateway?.stop();
    await subgraph?.server.stop();
  });

  it('answers the excess at once with 503, Retry-After and OVERLOADED while the admitted requests are served', async () => {
    const { answered, all } = fire(gateway, slowQueries(10));
    // the four admitted requests wait in the subgraph until released: whatever is answered before was shed
    await waitFor(() => subgraph.waiting() === 4 && answered.length === 6, 'four requests in flight and six answered', 15_000);
    for (const answer of answered) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('1');
      expect(answer.body.errors).toEqual([
        { message: expect.stringContaining('overloaded'), extensions: { code: 'OVERLOADED', retryAfterSeconds: 1 } },
      ]);
    }

    // health checks and scrapes are never shed
    expect((await get(gateway, '/health')).status).toBe(200);
    expect((await get(gateway, '/ready')).status).toBe(200);
    const metrics = await (await get(gateway, '/metrics')).text();
    expect(sample(metrics, 'eventgraph_requests_shed_total{reason="in_flight",service="gateway"}')).toBe(6);
    expect(sample(metrics, 'eventgraph_requests_in_flight{service="gateway"}')).toBe(4);

    subgraph.release();
    const admitted = (await all).filter((answer) => answer.status !== 503);
    expect(admitted).toHaveLength(4);
    for (const answer of admitted) expect(answer.body).toEqual({ data: { slow: 'done' } });
  });

  it('counts a request out when its response closes, and serves again', async () => {
    const inFlight = async () =>
      sample(await (await get(gateway, '/metrics')).text(), 'eventgraph_requests_in_flight{service="gateway"}');
    const deadline = Date.now() + 5_000;
    while ((await inFlight()) !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await inFlight()).toBe(0);
    const [answer] = await fire(gateway, ['{ fast }']).all;
    expect(answer).toEqual({ status: 200, retryAfter: null, body: { data: { fast: 'fast' } } });
  });
  it('refuses a WebSocket upgrade with 503 and an operation on an open socket with OVERLOADED while past its bound', async () => {
    const wsUrl = gateway.url.replace(/^http/, 'ws');
    const client: Client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${DEV_TOKEN}` },
      retryAttempts: 0,
      lazy: false, // one socket throughout: opened while there is room, kept while there is none
    });
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        let result: unknown;
        client.subscribe(
          { query },
          { next: (r) => void (result = r), error: (e) => resolve({ error: e }), complete: () => resolve(result) },
        );
      });
    try {
      expect(await run('{ fast }')).toEqual({ data: { fast: 'fast' } }); // the socket opens while there is room

      const { all } = fire(gateway, slowQueries(4));
      await waitFor(() => subgraph.waiting() === 4, 'four requests in flight', 15_000);

      const upgrade = await new Promise<{ status?: number; retryAfter?: string; body: string }>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        socket.on('open', () => reject(new Error('the upgrade was accepted')));
        socket.on('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode, retryAfter: response.headers['retry-after'] as string, body }),
          );
        });
      });
      expect(upgrade.status).toBe(503);
      expect(upgrade.retryAfter).toBe('1');
      expect(JSON.parse(upgrade.body).errors[0].extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 1 });

      const refused = (await run('{ fast }')) as { error: Array<{ extensions?: Record<string, unknown> }> };
      expect(refused.error[0]?.extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 1 });

      subgraph.release();
      await all;
      const deadline = Date.now() + 5_000;
      let again = await run('{ fast }');
      while (JSON.stringify(again).includes('OVERLOADED') && Date.now() < deadline) again = await run('{ fast }');
      expect(again).toEqual({ data: { fast: 'fast' } }); // the same socket serves again once there is room
    } finally {
      await client.dispose();
    }
  });
});

describe('the gateway while its event loop lags past EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS', () => {
  let subgraph: SlowSubgraph;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startSlowSubgraph(0);
    // far above what a busy test machine lags by itself, far below the block below
    gateway = await startGatewayBefore(subgraph, { loadShedding: { maxInFlight: 0, maxEventLoopDelayMs: 300 } });
  });
  afterAll(async () => {
    await gateway?.stop();
    await subgraph?.server.stop();
  });

  it('sheds requests for a while after a long block, answers health checks throughout, then serves again', async () => {
    const blockedUntil = performance.now() + 1_000;
    while (performance.now() < blockedUntil); // the whole process stalls, as under a CPU-bound flood

    // the delay is read every half second: shedding starts within a window or two
    let shed: Answer | undefined;
    const deadline = Date.now() + 3_000;
    while (!shed && Date.now() < deadline) {
      const [answer] = await fire(gateway, ['{ fast }']).all;
      if (answer!.status === 503) shed = answer;
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(shed?.body.errors?.[0]?.extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 1 });
    expect(shed?.retryAfter).toBe('1');
    expect((await get(gateway, '/health')).status).toBe(200);
    const metrics = await (await get(gateway, '/metrics')).text();
    expect(sample(metrics, 'eventgraph_requests_shed_total{reason="event_loop_delay",service="gateway"}')).toBeGreaterThanOrEqual(
      1,
    );

    let served = false;
    const recovery = Date.now() + 5_000;
    while (!served && Date.now() < recovery) {
      const [answer] = await fire(gateway, ['{ fast }']).all;
      served = answer!.status === 200;
      if (!served) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toBe(true);
  });
});

describe('a subgraph past its own bound (EVENTGRAPH_SUBGRAPH_MAX_IN_FLIGHT)', () => {
  let subgraph: SlowSubgraph;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startSlowSubgraph(2);
    gateway = await startGatewayBefore(subgraph, { loadShedding: { maxInFlight: 0, maxEventLoopDelayMs: 0 } });
  });
  afterAll(async () => {
    subgraph?.release();
    await gateway?.stop();
    await subgraph?.server.stop();
  });

  it('sheds the excess at once, and the gateway passes its OVERLOADED on to the client', async () => {
    const { answered, all } = fire(gateway, slowQueries(5));
    await waitFor(
      () => subgraph.waiting() === 2 && answered.length === 3,
      'two requests in the subgraph and three answered',
      15_000,
    );
    for (const answer of answered) {
      expect(answer.body.data).toEqual({ slow: null });
      expect(answer.body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringContaining('overloaded'),
          extensions: { code: 'OVERLOADED', retryAfterSeconds: 1, serviceName: 'slow' },
        }),
      ]);
    }
    expect(sample(await subgraph.metrics(), 'eventgraph_requests_shed_total{reason="in_flight",service="slow"}')).toBe(3);

    subgraph.release();
    const served = (await all).filter((answer) => !answer.body.errors);
    expect(served.map((answer) => answer.body.data)).toEqual([{ slow: 'done' }, { slow: 'done' }]);
  });

  it('does not count a shed request as a subgraph failure: the circuit stays closed', async () => {
    const ready = await get(gateway, '/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(expect.objectContaining({ subgraphs: { slow: 'up' } }));
  });
});
