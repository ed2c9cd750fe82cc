/**
 * Identical queries in flight at once reach the subgraph once and every client gets the answer; different
 * callers, different operations and mutations are never shared, nor a query started before a mutation was
 * answered with one made after it (subscription events never join: gateway/test/subscriptions/fan-out); a failure reaches every client waiting on
 * it; EVENTGRAPH_SHARE_INFLIGHT_QUERIES=false turns sharing off. Real gateway on an ephemeral port, in front
 * of a real runtime subgraph server whose `slow` field waits until the test releases it.
 */
import type { RunningGateway } from '../../src/gateway';
import { CLIENT_ADDRESS_HEADER, PRINCIPAL_HEADER, signClientAddress, signPrincipal, type Principal } from '@eventgraph/runtime';
import { InflightQueries, inflightSharingFromEnv, type PostedAnswer } from '../../src/execution/inflight-queries';
import { DEV_TOKEN, startGatewayBefore, startSlowSubgraph, type SlowSubgraph } from './slow-subgraph';
import { waitFor } from '../subscriptions/harness';

type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

const post = (gateway: RunningGateway, query: string, token: string | null = DEV_TOKEN): Promise<Body> =>
  fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  }).then((r) => r.json() as Promise<Body>);

const sharedCount = async (gateway: RunningGateway) => {
  const text = await fetch(new URL('/metrics', gateway.url)).then((r) => r.text());
  return Number(/^eventgraph_subgraph_fetches_shared_total\{subgraph="slow"[^}]*\} (\S+)$/m.exec(text)?.[1] ?? 0);
};

async function until(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const NO_SHEDDING = { loadShedding: { maxInFlight: 0, maxEventLoopDelayMs: 0 } };

describe('identical queries in flight', () => {
  let subgraph: SlowSubgraph;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startSlowSubgraph(0);
    gateway = await startGatewayBefore(subgraph, NO_SHEDDING);
  });
  afterAll(async () => {
    subgraph.release();
    await gateway.stop();
    await subgraph.server.stop();
  });

  it('are sent to the subgraph once, and every client gets the answer', async () => {
    const before = await sharedCount(gateway);
    const answers = Array.from({ length: 12 }, () => post(gateway, '{ slow }'));
    await until(async () => (await sharedCount(gateway)) === before + 11, 'eleven joining the first');
    expect(subgraph.waiting()).toBe(1);
    subgraph.release();
    expect(await Promise.all(answers)).toEqual(Array(12).fill({ data: { slow: 'done' } }));
    expect(await sharedCount(gateway)).toBe(before + 11);
  });

  it('of different callers or different operations are sent each', async () => {
    const answers = [post(gateway, '{ slow }'), post(gateway, '{ slow }', null), post(gateway, 'query Other { slow }')];
    await waitFor(() => subgraph.waiting() === 3, 'three requests at the subgraph', 10_000);
    subgraph.release();
    expect(await Promise.all(answers)).toEqual(Array(3).fill({ data: { slow: 'done' } }));
  });

  it('are never mutations', async () => {
    const answers = Array.from({ length: 3 }, () => post(gateway, 'mutation { slowWrite }'));
    await waitFor(() => subgraph.waiting() === 3, 'three mutations at the subgraph', 10_000);
    subgraph.release();
    expect(await Promise.all(answers)).toEqual(Array(3).fill({ data: { slowWrite: 'done' } }));
  });

  it('started before a mutation was answered are not joined after it (read your writes)', async () => {
    const before = await sharedCount(gateway);
    const first = post(gateway, '{ slow }');
    await waitFor(() => subgraph.waiting() === 1, 'one request at the subgraph', 10_000);
    expect(await post(gateway, 'mutation { fastWrite }')).toEqual({ data: { fastWrite: 'written' } });
    const second = post(gateway, '{ slow }');
    await waitFor(() => subgraph.waiting() === 2, 'the second query sent anew', 10_000);
    subgraph.release();
    expect(await Promise.all([first, second])).toEqual(Array(2).fill({ data: { slow: 'done' } }));
    expect(await sharedCount(gateway)).toBe(before);
  });

  it('share a failure with every client waiting on it, and the next request is sent anew', async () => {
    const answers = Array.from({ length: 4 }, () => post(gateway, '{ slow }'));
    await waitFor(() => subgraph.waiting() === 1, 'one request at the subgraph', 10_000);
    await subgraph.server.stop(); // the request in flight ends without an answer
    const failed = await Promise.all(answers);
    for (const body of failed) {
      expect(body.data).toEqual({ slow: null });
      expect(body.errors?.[0]?.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toMatch(/ECONNRESET|socket|at .*\.ts/);
    }
    subgraph = await startSlowSubgraph(0);
  });
});

describe('the sharing key', () => {
  it('is the caller, not its signatures: they change every second with their expiry', async () => {
    const user = (id: string): Principal => ({ kind: 'user', id, memberships: [], scopes: [] });
    const headersAt = (principal: Principal, address: string, now: number) => ({
      [PRINCIPAL_HEADER]: signPrincipal(principal, 'secret', 300, now),
      [CLIENT_ADDRESS_HEADER]: signClientAddress(address, 'secret', now),
      'x-request-id': `request-${now}`,
    });
    const inflight = new InflightQueries();
    const answers: Array<(answer: PostedAnswer) => void> = [];
    const send = () => new Promise<PostedAnswer>((resolve) => answers.push(resolve));
    const ask = (headers: Record<string, string>) => inflight.share('http://slow/graphql', headers, '{"query":"{ slow }"}', send);
    const asked = [
      ask(headersAt(user('a'), '10.0.0.1', 1_000_000)),
      ask(headersAt(user('a'), '10.0.0.1', 1_004_000)), // the same caller four seconds on: joins
      ask(headersAt(user('b'), '10.0.0.1', 1_000_000)), // another user: sent
      ask(headersAt(user('a'), '10.0.0.2', 1_000_000)), // another address: sent
    ];
    expect(answers).toHaveLength(3);
    for (const answer of answers) answer({ status: 200, text: '{"data":{"slow":"done"}}' });
    expect((await Promise.all(asked)).map((a) => a.first)).toEqual([true, false, true, true]);
  });
});

describe('EVENTGRAPH_SHARE_INFLIGHT_QUERIES', () => {
  it('is on unless false or 0, and refuses anything else', () => {
    expect(inflightSharingFromEnv({})).toBe(true);
    expect(inflightSharingFromEnv({ EVENTGRAPH_SHARE_INFLIGHT_QUERIES: 'true' })).toBe(true);
    expect(inflightSharingFromEnv({ EVENTGRAPH_SHARE_INFLIGHT_QUERIES: 'false' })).toBe(false);
    expect(inflightSharingFromEnv({ EVENTGRAPH_SHARE_INFLIGHT_QUERIES: '0' })).toBe(false);
    expect(() => inflightSharingFromEnv({ EVENTGRAPH_SHARE_INFLIGHT_QUERIES: 'sometimes' })).toThrow(/true or false/);
  });

  it('off: identical queries are sent each', async () => {
    const subgraph = await startSlowSubgraph(0);
    const gateway = await startGatewayBefore(subgraph, NO_SHEDDING, { shareInflightQueries: false });
    try {
      const answers = Array.from({ length: 5 }, () => post(gateway, '{ slow }'));
      await waitFor(() => subgraph.waiting() === 5, 'five requests at the subgraph', 10_000);
      subgraph.release();
      expect(await Promise.all(answers)).toEqual(Array(5).fill({ data: { slow: 'done' } }));
      expect(await sharedCount(gateway)).toBe(0);
    } finally {
      subgraph.release();
      await gateway.stop();
      await subgraph.server.stop();
    }
  });
});
