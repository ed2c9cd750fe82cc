/**
 * A request the gateway sheds as a whole (503 OVERLOADED with Retry-After) never ran, so the SDK sends
 * it again after the wait, as for RATE_LIMITED. Real gateway bounded to one request in flight, held by a
 * subgraph field that waits until the test releases it.
 */
import { createEventgraphClient, EventgraphError, type FetchLike } from '../src';
import type { RunningGateway } from '../../gateway/src/gateway';
import { DEV_TOKEN, startGatewayBefore, startSlowSubgraph, type SlowSubgraph } from '../../gateway/test/ops/slow-subgraph';
import { waitFor } from '../../gateway/test/subscriptions/harness';

let subgraph: SlowSubgraph;
let gateway: RunningGateway;
beforeAll(async () => {
  subgraph = await startSlowSubgraph(0);
  gateway = await startGatewayBefore(subgraph, { loadShedding: { maxInFlight: 1, maxEventLoopDelayMs: 0 } });
});
afterAll(async () => {
  subgraph?.release();
  await gateway?.stop();
  await subgraph?.server.stop();
});

/** the global fetch, noting when each answer came and with what status */
function observedFetch() {
  const answers: Array<{ status: number; at: number }> = [];
  const fetch: FetchLike = async (url, init) => {
    const response = await globalThis.fetch(url, init);
    answers.push({ status: response.status, at: Date.now() });
    return response;
  };
  return { fetch, answers };
}

/** holds the gateway's one place: a request waiting in the subgraph until release() */
async function occupy() {
  const holder = createEventgraphClient({ url: gateway.url, credential: DEV_TOKEN });
  const held = holder.request<{ slow: string }>('{ slow }');
  await waitFor(() => subgraph.waiting() === 1, 'a request in flight');
  return { held, close: () => holder.close() };
}

it('retries OVERLOADED after the Retry-After the gateway sends, and succeeds once there is room', async () => {
  const occupied = await occupy();
  const { fetch, answers } = observedFetch();
  const client = createEventgraphClient({ url: gateway.url, credential: DEV_TOKEN, fetch });
  const answer = client.request<{ fast: string }>('{ fast }');
  await waitFor(() => answers.length === 1, 'the first answer');
  subgraph.release();
  expect(await answer).toEqual({ fast: 'fast' });
  expect(await occupied.held).toEqual({ slow: 'done' });

  expect(answers.map((a) => a.status)).toEqual([503, 200]);
  expect(answers[1]!.at - answers[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
  await Promise.all([client.close(), occupied.close()]);
});

it('fails at once with OVERLOADED, its status and the wait, when retrying is switched off', async () => {
  const occupied = await occupy();
  const client = createEventgraphClient({ url: gateway.url, credential: DEV_TOKEN, rateLimitRetry: false });
  const err = (await client.request('{ fast }').catch((e: unknown) => e)) as EventgraphError;
  expect(err).toBeInstanceOf(EventgraphError);
  expect({ code: err.code, status: err.status, retryAfterMs: err.retryAfterMs }).toEqual({
    code: 'OVERLOADED',
    status: 503,
    retryAfterMs: 1000,
  });
  subgraph.release();
  await occupied.held;
  await Promise.all([client.close(), occupied.close()]);
});
