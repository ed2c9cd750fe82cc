import type { LookupAddress } from 'node:dns';
import { guardedLookup, isPrivateAddress, isPrivateHost, PrivateTargetError, type Resolve } from '../../src/net';

describe('private network addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true], // cloud metadata
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['fd12:3456::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['93.184.216.34', false],
    ['172.32.0.1', false],
    ['2001:4860:4860::8888', false],
    ['::ffff:8.8.8.8', false],
    ['feeds.example.com', false],
  ])('%s is private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('judges a URL host on its face: bracketed IPv6 literals and localhost names are private', () => {
    expect(isPrivateHost('[fe80::1]')).toBe(true);
    expect(isPrivateHost('LOCALHOST')).toBe(true);
    expect(isPrivateHost('feeds.localhost')).toBe(true);
    expect(isPrivateHost('[2001:4860:4860::8888]')).toBe(false);
    expect(isPrivateHost('localhost.example.com')).toBe(false);
  });
});

describe('the lookup a guarded connection makes', () => {
  const answering =
    (...addresses: string[]): Resolve =>
    (_hostname, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  const run = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: Error | null; address: string | LookupAddress[] }>((settle) =>
      lookup('feeds.example.com', { all }, (err, address) => settle({ err, address })),
    );

  it('refuses a name when any of its addresses is private, so a second record cannot slip through', async () => {
    const { err } = await run(guardedLookup(answering('93.184.216.34', '10.0.0.7'), true), false);
    expect(err).toBeInstanceOf(PrivateTargetError);
    expect(err?.message).toBe('feeds.example.com resolves to 10.0.0.7, a private address');
  });

  it('answers in the shape the caller asked for: one address, or all of them', async () => {
    const guarded = guardedLookup(answering('93.184.216.34', '2606:2800:220:1::'), true);
    expect(await run(guarded, false)).toEqual({ err: null, address: '93.184.216.34' });
    expect((await run(guarded, true)).address).toHaveLength(2);
  });

  it('lets private addresses through when they are allowed, and passes resolver errors on', async () => {
    expect((await run(guardedLookup(answering('127.0.0.1'), false), false)).address).toBe('127.0.0.1');
    const failing: Resolve = (hostname, _options, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const { err } = await run(guardedLookup(failing, true), false);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOTFOUND');
  });
});
