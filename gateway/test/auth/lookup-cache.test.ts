import { LookupCache } from '../../src/auth/lookup-cache';

const options = { ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 100, maxNegativeEntries: 50 };

describe('the caller caches', () => {
  it('keep a caller in use under a flood of invented keys, and ask users about each invented key once', async () => {
    const cache = new LookupCache<string>(options);
    const users = new Map([['hot-key', 'partner app']]);
    let asked = 0;
    const lookup = (key: string) => () => {
      asked++;
      return Promise.resolve(users.get(key) ?? null);
    };
    expect(await cache.get('hot-key', lookup('hot-key'))).toBe('partner app');
    for (let i = 0; i < 10_000; i++) {
      expect(await cache.get(`invented-${i}`, lookup(`invented-${i}`))).toBeNull();
      if (i % 1000 === 0) expect(await cache.get(`invented-${i}`, lookup(`invented-${i}`))).toBeNull(); // remembered
    }
    expect(asked).toBe(1 + 10_000);
    // the flood only ever pushed out other invented keys: the real caller is still answered from memory
    expect(await cache.get('hot-key', lookup('hot-key'))).toBe('partner app');
    expect(asked).toBe(10_001);
  });

  it('keep the most recently used callers when more real callers than fit arrive', async () => {
    const cache = new LookupCache<string>(options);
    let asked = 0;
    const found = (key: string) => () => (asked++, Promise.resolve(`caller ${key}`));
    await cache.get('hot', found('hot'));
    for (let i = 0; i < 1_000; i++) {
      await cache.get(`cold-${i}`, found(`cold-${i}`));
      await cache.get('hot', found('hot')); // used all the time
    }
    expect(asked).toBe(1 + 1_000);
    expect(cache.size).toBe(options.maxEntries);
  });

  it('run beforeLookup only when users would be asked, and ask nothing when it refuses', async () => {
    const cache = new LookupCache<string>(options);
    let charged = 0;
    let asked = 0;
    const load = () => (asked++, Promise.resolve('caller'));
    const charge = async () => void charged++;
    await cache.get('k', load, charge);
    await cache.get('k', load, charge);
    expect({ charged, asked }).toEqual({ charged: 1, asked: 1 });
    const refuse = () => Promise.reject(new Error('rate limited'));
    await expect(cache.get('other', load, refuse)).rejects.toThrow('rate limited');
    expect(asked).toBe(1);
  });

  it('share one lookup between concurrent requests, keep no failed lookup, and forget at once on eviction', async () => {
    const cache = new LookupCache<string>(options);
    let asked = 0;
    let release!: (value: string) => void;
    const answer = new Promise<string>((resolve) => (release = resolve));
    const slow = () => (asked++, answer);
    const both = Promise.all([cache.get('k', slow), cache.get('k', slow)]);
    release('caller');
    expect(await both).toEqual(['caller', 'caller']);
    expect(asked).toBe(1);

    await expect(cache.get('broken', () => Promise.reject(new Error('users down')))).rejects.toThrow('users down');
    expect(await cache.get('broken', () => Promise.resolve('back'))).toBe('back');

    cache.delete('k');
    expect(await cache.get('k', () => Promise.resolve('changed'))).toBe('changed');
  });
});
