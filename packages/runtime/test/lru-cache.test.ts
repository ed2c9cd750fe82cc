import { LruCache, signClientAddress, verifyClientAddress, signPrincipal, ANONYMOUS } from '../src';

describe('LruCache', () => {
  it('drops the least recently used entry when full, not everything', () => {
    const cache = new LruCache<string, number>(3, 1_000);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('d', 4);
    expect([cache.has('a'), cache.has('b'), cache.has('c'), cache.has('d')]).toEqual([true, false, true, true]);
    expect(cache.size).toBe(3);
  });

  it('forgets entries past their time to live', () => {
    let now = 0;
    const cache = new LruCache<string, number>(10, 1_000, () => now);
    cache.set('a', 1);
    cache.set('b', 2, 5_000);
    now = 1_000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
  });

  it('deletes an entry only while it still holds the given value', () => {
    const cache = new LruCache<string, object>(10, 1_000);
    const first = {};
    const second = {};
    cache.set('k', first);
    cache.set('k', second);
    cache.deleteIf('k', first);
    expect(cache.get('k')).toBe(second);
  });
});

describe('the signed client address', () => {
  const secret = 'a-secret-of-enough-length-0123456789';

  it('comes back as signed, and not when forged, expired or signed with another secret', () => {
    const now = Date.now();
    const token = signClientAddress('203.0.113.7', secret, now);
    expect(verifyClientAddress(token, secret, now)).toBe('203.0.113.7');
    const [, exp, sig] = token.split('.');
    const forged = `${Buffer.from('198.51.100.1').toString('base64url')}.${exp}.${sig}`;
    expect(verifyClientAddress(forged, secret, now)).toBeUndefined();
    expect(verifyClientAddress(token, 'another-secret-of-enough-length-0123', now)).toBeUndefined();
    expect(verifyClientAddress(token, secret, now + 301_000)).toBeUndefined();
    expect(verifyClientAddress(undefined, secret)).toBeUndefined();
  });

  it('cannot be made from a principal signature', () => {
    const principal = signPrincipal(ANONYMOUS, secret);
    expect(verifyClientAddress(principal, secret)).toBeUndefined();
  });
});
