/**
 * Event streams under the gateway's load bounds and its stop, on a real gateway in front of a real runtime
 * subgraph: a stream counts as a request in flight only until it has started (then it is bounded like a
 * socket), a stream request past the bound is refused 503 with Retry-After and OVERLOADED before anything
 * runs, and stopping the gateway ends open streams without `complete`, so EventSource clients reconnect.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createLogger, createMetricsRegistry, startSubgraphServer, type RunningServer } from '@eventgraph/runtime';
import { startGateway, type RunningGateway } from '../../src/gateway';
import { FEDERATION_LINK, composeFixture } from '../federation/harness';
import { openEventStream } from './event-stream-client';

const SECRET = 'sse-shedding-principal-secret-0123456789';
const DEV_TOKEN = 'sse-shedding-dev-token';
const SDL = `${FEDERATION_LINK(['@key'])} type Query { slow: String } type Subscription { tick: String }`;
const silent = createLogger('sse-shedding-test', 'silent');

let subgraph: RunningServer;
let gateway: RunningGateway;
let release = () => {};
const gate = new Promise<void>((resolve) => (release = resolve));
let waiting = 0;

beforeAll(async () => {
  const slow = async () => {
    waiting++;
    await gate;
    waiting--;
    return 'done';
  };
  // a subscription that never yields and ends when asked (an async generator would wait for its next() first)
  const quiet = (): AsyncIterableIterator<never> => ({
    next: () => new Promise(() => {}),
    return: async () => ({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  });
  subgraph = await startSubgraphServer({
    name: 'ticks',
    schema: buildSubgraphSchema({
      typeDefs: parse(SDL),
      resolvers: { Query: { slow }, Subscription: { tick: { subscribe: quiet } } } as never,
    }),
    port: 0,
    principalSecret: SECRET,
    logger: silent,
    createContext: (base) => base,
    metrics: createMetricsRegistry('ticks', { processMetrics: false }),
    loadShedding: { maxInFlight: 0, maxEventLoopDelayMs: 0 },
  });
  gateway = await startGateway({
    supergraphSdl: composeFixture([{ name: 'ticks', sdl: SDL, url: subgraph.url }]),
    port: 0,
    principalSecret: SECRET,
    jwtSecret: 'sse-shedding-jwt-secret-0123456789abcdef',
    devToken: DEV_TOKEN,
    publishedDocuments: new Map(),
    connectionRevalidationMs: 0,
    overload: { loadShedding: { maxInFlight: 2, maxEventLoopDelayMs: 0 } },
    logger: silent,
  });
});

afterAll(async () => {
  release();
  await gateway?.stop();
  await subgraph?.stop();
});

const ticks = () =>
  openEventStream(`${gateway.url}/stream?query=${encodeURIComponent('subscription { tick }')}`, {
    authorization: `Bearer ${DEV_TOKEN}`,
  });

it('counts a stream in flight only until it starts, and refuses one past the bound with 503 OVERLOADED', async () => {
  const open = [await ticks(), await ticks()];
  expect(open.map((stream) => stream.status)).toEqual([200, 200]);
  // two streams run, yet two requests fit: the streams no longer count
  // two operations of their own: identical queries in flight would reach the subgraph once
  const held = [1, 2].map((i) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_TOKEN}` },
      body: JSON.stringify({ query: `query Held${i} { slow }` }),
    }),
  );
  const deadline = Date.now() + 10_000;
  while (waiting < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(waiting).toBe(2);

  const refused = await ticks();
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('1');
  expect(refused.json.errors[0]?.extensions).toEqual({ code: 'OVERLOADED', retryAfterSeconds: 1 });

  release();
  expect((await Promise.all(held)).map((response) => response.status)).toEqual([200, 200]);
  await Promise.all(open.map((stream) => stream.close()));
});

it('ends open streams without `complete` when the gateway stops', async () => {
  const stream = await ticks();
  expect(stream.status).toBe(200);
  await gateway.stop();
  await stream.closed;
  expect(stream.messages.map((m) => m.event).filter(Boolean)).toEqual([]);
});
