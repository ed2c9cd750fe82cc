import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createLogger } from '@eventgraph/runtime';
import { redisReplay, type SharedReplay } from '../../src/sse/redis-replay';

/** The Redis record of event streams, against a real Redis with a key prefix of its own. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test:sse-replay:${randomBytes(4).toString('hex')}:`;
const stores: SharedReplay[] = [];
const store = (limits: Partial<{ maxEvents: number; maxBytes: number; maxAgeMs: number }> = {}) => {
  const replay = redisReplay({
    url: REDIS_URL,
    prefix,
    limits: { maxEvents: 3, maxBytes: 1_000, maxAgeMs: 10_000, ...limits },
    heartbeatMs: 50,
    logger: createLogger('test', 'silent'),
  });
  stores.push(replay);
  return replay;
};
const token = () => randomBytes(6).toString('base64url');
/** polls until `check` holds: writes go out on another connection, heartbeats come on their own time */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

describe('the Redis replay of event streams', () => {
  it('reads what a stream recorded after a sequence, for the same key only', async () => {
    const [writer, reader] = [store(), store()]; // two replicas
    const t = token();
    let sequence = 0;
    const record = writer.record(t, 'key-1', () => sequence);
    for (const text of ['m1', 'm2']) record.append(++sequence, text);
    const read = await eventually(
      () => reader.read(t, 'key-1', 0),
      (r) => r?.messages.length === 2,
    );
    expect(read).toMatchObject({ messages: ['m1', 'm2'], ended: false });
    expect((await reader.read(t, 'key-1', 1))?.messages).toEqual(['m2']);
    expect(await reader.read(t, 'key-2', 0)).toBeUndefined(); // another caller's or operation's stream
    expect(await reader.read(t, 'key-1', 3)).toBeUndefined(); // ahead of the stream
    expect(await reader.read(token(), 'key-1', 0)).toBeUndefined(); // never recorded (or expired)
  });

  it('keeps the same bounds as the buffer: what was dropped after the sequence means undefined', async () => {
    const replay = store({ maxBytes: 12 });
    const [byCount, byBytes] = [token(), token()];
    let n = 0;
    const counted = replay.record(byCount, 'k', () => n);
    for (const text of ['m1', 'm2', 'm3', 'm4']) counted.append(++n, text);
    let m = 0;
    const sized = replay.record(byBytes, 'k', () => m);
    for (const text of ['x'.repeat(6), 'y'.repeat(6), 'z'.repeat(6)]) sized.append(++m, text);
    // reads on the writer's own connection come after its writes
    expect(await replay.read(byCount, 'k', 0)).toBeUndefined();
    expect((await replay.read(byCount, 'k', 1))?.messages).toEqual(['m2', 'm3', 'm4']);
    expect(await replay.read(byBytes, 'k', 0)).toBeUndefined();
    expect((await replay.read(byBytes, 'k', 1))?.messages).toEqual(['y'.repeat(6), 'z'.repeat(6)]);

    const aged = store({ maxAgeMs: 100 });
    const old = token();
    let k = 0;
    aged.record(old, 'k', () => k).append(++k, 'm1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await aged.read(old, 'k', 0)).toBeUndefined();
  });

  it('never covers over a write that did not arrive: a sequence skipped, or the stream ahead of its record', async () => {
    const replay = store();
    const skipped = token();
    let n = 0;
    const record = replay.record(skipped, 'k', () => n);
    record.append(++n, 'm1');
    n++; // m2 published, its write lost
    record.append(++n, 'm3');
    expect(await replay.read(skipped, 'k', 1)).toBeUndefined();
    expect((await replay.read(skipped, 'k', 2))?.messages).toEqual(['m3']);

    const behind = token();
    let m = 0;
    replay.record(behind, 'k', () => m).append(++m, 'm1');
    m++; // published, not written; the heartbeat finds the record behind
    expect(
      await eventually(
        () => replay.read(behind, 'k', 1),
        (r) => r === undefined,
      ),
    ).toBeUndefined();
    expect((await replay.read(behind, 'k', 2))?.messages).toEqual([]);
  });

  it('moves coveredAt with heartbeats, marks an ended stream, and expires after the replay window', async () => {
    const replay = store({ maxAgeMs: 2_000 });
    const t = token();
    const record = replay.record(t, 'k', () => 0);
    const before = (await replay.read(t, 'k', 0))!.coveredAt;
    const later = await eventually(
      () => replay.read(t, 'k', 0),
      (r) => r!.coveredAt > before,
    );
    expect(later!.coveredAt).toBeGreaterThan(before);
    record.end();
    expect(await replay.read(t, 'k', 0)).toMatchObject({ ended: true });
    const redis = new Redis(REDIS_URL);
    const ttl = await redis.pttl(`${prefix}${t}:meta`);
    await redis.quit();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_050); // the replay window and a heartbeat
    expect(
      await eventually(
        () => replay.read(t, 'k', 0),
        (r) => r === undefined,
      ),
    ).toBeUndefined();
  });
});
