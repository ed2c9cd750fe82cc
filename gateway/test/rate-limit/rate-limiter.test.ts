import { createHash, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  MemoryRateLimiter,
  RedisRateLimiter,
  TOKEN_BUCKET_SCRIPT,
  createRateLimiter,
  type BucketPolicy,
  type RateLimiter,
} from '../../src/rate-limit';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Refills so slowly that no token comes back during a test. */
const NO_REFILL = 0.001;

/** Every test's Redis keys live under one random prefix, deleted afterwards. */
const prefix = `test:rate:${randomUUID()}:`;
let admin: Redis;
beforeAll(() => {
  admin = new Redis(REDIS_URL);
});
afterAll(async () => {
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length) await admin.del(...keys);
  await admin.quit();
});

const limiters: RateLimiter[] = [];
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.close()));
});
const track = <L extends RateLimiter>(limiter: L): L => (limiters.push(limiter), limiter);

const factories: [string, () => RateLimiter][] = [
  ['MemoryRateLimiter', () => track(createRateLimiter({ kind: 'memory' }))],
  ['RedisRateLimiter', () => track(createRateLimiter({ kind: 'redis', url: REDIS_URL, prefix }))],
];

describe.each(factories)('%s', (_name, create) => {
  const key = () => `caller:${randomUUID()}`;

  it('admits a burst of `capacity`, then refuses with the time until the next token', async () => {
    const limiter = create();
    const policy: BucketPolicy = { capacity: 5, refillPerSecond: 2 };
    const k = key();
    const burst = [];
    for (let i = 0; i < 5; i++) burst.push(await limiter.take(k, policy));
    expect(burst.map((d) => [d.allowed, d.remaining, d.retryAfterMs])).toEqual([
      [true, 4, 0],
      [true, 3, 0],
      [true, 2, 0],
      [true, 1, 0],
      [true, 0, 0],
    ]);
    const refused = await limiter.take(k, policy);
    expect(refused.allowed).toBe(false);
    expect(refused.remaining).toBe(0);
    // one token takes 500 ms at 2/s, part of which has already passed
    expect(refused.retryAfterMs).toBeGreaterThan(250);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
  });

  it('refills over time at the sustained rate, never above capacity', async () => {
    const limiter = create();
    // 250 ms per token: slow enough that a loaded machine's gap between two
    // takes cannot refill one, fast enough to keep the test short
    const policy: BucketPolicy = { capacity: 2, refillPerSecond: 4 };
    const k = key();
    await limiter.take(k, policy);
    await limiter.take(k, policy);
    expect((await limiter.take(k, policy)).allowed).toBe(false);
    await sleep(300);
    expect(await limiter.take(k, policy)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.take(k, policy)).allowed).toBe(false);
    await sleep(1_100); // enough for 4 tokens, capped at 2
    expect(await limiter.take(k, policy)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('charges costs above 1 and says how long until the whole cost is available', async () => {
    const limiter = create();
    const policy: BucketPolicy = { capacity: 10, refillPerSecond: 1 };
    const k = key();
    expect(await limiter.take(k, policy, 4)).toMatchObject({ allowed: true, remaining: 6 });
    expect(await limiter.take(k, policy, 4)).toMatchObject({ allowed: true, remaining: 2 });
    const refused = await limiter.take(k, policy, 4);
    expect(refused).toMatchObject({ allowed: false, remaining: 2 });
    expect(refused.retryAfterMs).toBeGreaterThan(1_900); // 2 tokens missing at 1/s
    expect(refused.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(await limiter.take(k, policy, 2)).toMatchObject({ allowed: true, remaining: 0 }); // a refused take spends nothing
    await expect(limiter.take(k, policy, 11)).rejects.toThrow(RangeError);
    await expect(limiter.take(k, { capacity: 1, refillPerSecond: 0 })).rejects.toThrow(RangeError);
  });

  it('keeps separate keys apart', async () => {
    const limiter = create();
    const policy: BucketPolicy = { capacity: 2, refillPerSecond: NO_REFILL };
    const [a, b] = [key(), key()];
    await limiter.take(a, policy);
    await limiter.take(a, policy);
    expect((await limiter.take(a, policy)).allowed).toBe(false);
    expect(await limiter.take(b, policy)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('never admits more than capacity under concurrent takes', async () => {
    const limiter = create();
    const policy: BucketPolicy = { capacity: 10, refillPerSecond: NO_REFILL };
    const k = key();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take(k, policy)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });
});

describe('RedisRateLimiter across replicas', () => {
  const replica = (options: Partial<ConstructorParameters<typeof RedisRateLimiter>[0]> = {}) =>
    track(new RedisRateLimiter({ url: REDIS_URL, prefix, ...options }));

  it('shares one bucket between instances: together they never admit more than capacity', async () => {
    const [a, b, c] = [replica(), replica(), replica()];
    const policy: BucketPolicy = { capacity: 25, refillPerSecond: NO_REFILL };
    const key = `shared:${randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 150 }, (_, i) => [a, b, c][i % 3]!.take(key, policy)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterMs > 0)).toBe(true);
  });

  it('refills from Redis server time, whatever the local clock says', async () => {
    const limiter = replica();
    const policy: BucketPolicy = { capacity: 1, refillPerSecond: 4 };
    const key = `clock:${randomUUID()}`;
    await limiter.take(key, policy);
    const dateNow = jest.spyOn(Date, 'now').mockReturnValue(0);
    const perfNow = jest.spyOn(performance, 'now').mockReturnValue(0);
    try {
      expect((await limiter.take(key, policy)).allowed).toBe(false);
      await sleep(300);
      expect((await limiter.take(key, policy)).allowed).toBe(true);
    } finally {
      dateNow.mockRestore();
      perfNow.mockRestore();
    }
  });

  it('lets idle buckets expire once they would be full again', async () => {
    const limiter = replica();
    const key = `ttl:${randomUUID()}`;
    await limiter.take(key, { capacity: 10, refillPerSecond: 10 }, 3);
    const ttl = await admin.pttl(prefix + key);
    expect(ttl).toBeGreaterThan(250);
    expect(ttl).toBeLessThanOrEqual(301); // 3 tokens at 10/s, + 1 ms
    await sleep(ttl + 20);
    expect(await admin.exists(prefix + key)).toBe(0);
    expect(await limiter.take(key, { capacity: 10, refillPerSecond: 10 })).toMatchObject({ allowed: true, remaining: 9 });
  });

  it('runs the script by its SHA, and falls back to EVAL when Redis does not have it', async () => {
    const client = new Redis(REDIS_URL);
    const limiter = replica({ client });
    const policy: BucketPolicy = { capacity: 2, refillPerSecond: NO_REFILL };
    const key = `noscript:${randomUUID()}`;
    // what Redis answers after a restart or SCRIPT FLUSH (not flushed here: other users share this Redis)
    const evalsha = jest
      .spyOn(client, 'evalsha')
      .mockRejectedValueOnce(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    const evalScript = jest.spyOn(client, 'eval');
    try {
      expect(await limiter.take(key, policy)).toMatchObject({ allowed: true, remaining: 1 });
      expect(evalScript).toHaveBeenCalledTimes(1);
      expect(await client.script('EXISTS', createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex'))).toEqual([1]);
      expect(await limiter.take(key, policy)).toMatchObject({ allowed: true, remaining: 0 });
      expect((await limiter.take(key, policy)).allowed).toBe(false);
      expect(evalsha).toHaveBeenCalledTimes(3);
      expect(evalScript).toHaveBeenCalledTimes(1); // cached by the EVAL: SHA from then on
    } finally {
      await limiter.close(); // leaves a client it was given open
      expect(client.status).toBe('ready');
      await client.quit();
    }
  });

  describe('when Redis cannot be reached', () => {
    const unreachable = 'redis://127.0.0.1:1';
    const policy: BucketPolicy = { capacity: 1, refillPerSecond: 1 };

    it('fails open by default, warning once rather than per request', async () => {
      const warn = jest.fn();
      const limiter = replica({ url: unreachable, logger: { warn } });
      const started = performance.now();
      const decisions = await Promise.all([1, 2, 3].map(() => limiter.take('k', policy)));
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(decisions.every((d) => d.allowed)).toBe(true);
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it('fails closed when configured to', async () => {
      const limiter = replica({ url: unreachable, onRedisFailure: 'closed' });
      expect(await limiter.take('k', policy)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });
    });
  });
});

describe('MemoryRateLimiter memory', () => {
  it('keeps at most maxBuckets, dropping the least recently used', async () => {
    const limiter = track(new MemoryRateLimiter({ maxBuckets: 100 }));
    const policy: BucketPolicy = { capacity: 1, refillPerSecond: NO_REFILL };
    await limiter.take('busy', policy);
    for (let i = 0; i < 1_000; i++) {
      await limiter.take(`k${i}`, policy);
      if (i % 50 === 0) await limiter.take('busy', policy); // stays recently used
    }
    expect(limiter.size).toBe(100);
    expect((await limiter.take('busy', policy)).allowed).toBe(false); // its empty bucket survived
    expect((await limiter.take('k0', policy)).allowed).toBe(true); // evicted: back to a full bucket
  });

  it('sweeps away buckets that have refilled completely, which changes no decision', async () => {
    let now = 0;
    const limiter = track(new MemoryRateLimiter({ now: () => now, sweepIntervalMs: 0 }));
    const policy: BucketPolicy = { capacity: 4, refillPerSecond: 2 };
    await limiter.take('a', policy, 4);
    await limiter.take('b', policy, 1);
    now = 600; // b (3 + 1.2 tokens) is full again, a (1.2 tokens) is not
    limiter.sweep();
    expect(limiter.size).toBe(1);
    expect(await limiter.take('a', policy, 1)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.take('b', policy, 1)).toMatchObject({ allowed: true, remaining: 3 });
  });
});
