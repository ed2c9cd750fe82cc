import { createEventgraphClient, EventgraphError, isEventgraphError, type EventgraphClientOptions, type FetchLike } from '../src';
import { retryDelay } from '../src/retry';
import { startTestPlatform, type TestPlatform } from '../../platform/test/support/test-platform';

// anonymous callers get a bucket of 2 requests, refilled at one a second: the gateway answers 429 + Retry-After: 1
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ callerPolicies: { anonymous: { capacity: 2, refillPerSecond: 1 } } as never });
});
afterAll(() => platform?.stop());

/** the global fetch, noting when each answer came and with what status */
function observedFetch() {
  const answers: Array<{ status: number; at: number; retryAfter: string | null }> = [];
  const fetch: FetchLike = async (url, init) => {
    const response = await globalThis.fetch(url, init);
    answers.push({ status: response.status, at: Date.now(), retryAfter: response.headers.get('retry-after') });
    return response;
  };
  return { fetch, answers };
}

const QUERY = '{ __typename }';

/** spends the bucket: requests until one is refused */
async function exhaust() {
  const client = createEventgraphClient({ url: platform.gateway.url, rateLimitRetry: false });
  for (let i = 0; i < 10; i++) {
    const refused = await client.request(QUERY).then(
      () => false,
      (err: unknown) => isEventgraphError(err, 'RATE_LIMITED'),
    );
    if (refused) return client.close();
  }
  throw new Error('the rate limit never refused');
}

it('retries RATE_LIMITED after the Retry-After the gateway sends, and succeeds', async () => {
  await exhaust();
  const { fetch, answers } = observedFetch();
  const client = createEventgraphClient({ url: platform.gateway.url, fetch });
  const results = await Promise.all([1, 2, 3].map(() => client.request<{ __typename: string }>(QUERY)));
  expect(results.map((r) => r.__typename)).toEqual(['Query', 'Query', 'Query']);

  const refused = answers.filter((a) => a.status === 429);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.every((a) => a.retryAfter === '1')).toBe(true);
  // each refused request came back no sooner than the second it was asked to wait
  const firstRefusal = refused[0]!.at;
  const successesAfter = answers.filter((a) => a.status === 200 && a.at > firstRefusal);
  expect(successesAfter.length).toBeGreaterThan(0);
  expect(Math.min(...successesAfter.map((a) => a.at - firstRefusal))).toBeGreaterThanOrEqual(950);
  await client.close();
});

/**
 * One request from a client with `options`, right after spending the bucket, until it is refused: a token comes
 * back every second, and on a loaded machine one can come back between spending the bucket and asking.
 */
async function refusedRequest(options: Omit<EventgraphClientOptions, 'url' | 'fetch'>) {
  for (let attempt = 0; attempt < 5; attempt++) {
    await exhaust();
    const { fetch, answers } = observedFetch();
    const client = createEventgraphClient({ url: platform.gateway.url, fetch, ...options });
    const started = Date.now();
    const err = await client.request(QUERY).then(
      () => undefined,
      (e: unknown) => e,
    );
    const took = Date.now() - started;
    await client.close();
    if (err !== undefined) return { err, answers, took };
  }
  throw new Error('a token came back before each of 5 requests');
}

it('fails at once with RATE_LIMITED, its status and the wait, when retrying is switched off', async () => {
  const { err, took } = await refusedRequest({ rateLimitRetry: false });
  expect(err).toBeInstanceOf(EventgraphError);
  const { code, status, retryAfterMs } = err as EventgraphError;
  expect({ code, status, retryAfterMs }).toEqual({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 1000 });
  expect(took).toBeLessThan(900);
});

it('does not wait longer than maxWaitMs: a longer Retry-After fails at once', async () => {
  const { err, answers } = await refusedRequest({ rateLimitRetry: { maxWaitMs: 500 } });
  expect(isEventgraphError(err, 'RATE_LIMITED')).toBe(true);
  expect(answers.map((a) => a.status)).toEqual([429]);
});

it('stops after maxRetries', async () => {
  const { err, answers } = await refusedRequest({ rateLimitRetry: { maxRetries: 0 } });
  expect(isEventgraphError(err, 'RATE_LIMITED')).toBe(true);
  expect(answers).toHaveLength(1);
});

it('backs off exponentially with jitter when the server names no wait, and honours the one it names', () => {
  const none = () => 0;
  const most = () => 1;
  expect([0, 1, 2].map((n) => retryDelay(n, undefined, {}, none))).toEqual([500, 1000, 2000]);
  expect(retryDelay(0, undefined, {}, most)).toBe(600); // up to 20 % on top
  expect(retryDelay(0, 3000, {}, none)).toBe(3000);
  expect(retryDelay(3, 1000, {}, none)).toBeUndefined(); // maxRetries 3
  expect(retryDelay(0, 120_000, {}, none)).toBeUndefined(); // beyond maxWaitMs 60 s
});
