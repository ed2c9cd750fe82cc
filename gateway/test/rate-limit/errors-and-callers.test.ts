import { ANONYMOUS, type Principal } from '@eventgraph/runtime';
import {
  DEFAULT_CALLER_POLICIES,
  addressGroup,
  callerBucket,
  rateLimitError,
  rateLimitHttpResponse,
  retryAfterHeader,
} from '../../src/rate-limit';

const refused = (retryAfterMs: number) => ({ allowed: false, remaining: 0, retryAfterMs });
const principal = (kind: Principal['kind'], id?: string): Principal => ({ kind, id, memberships: [], scopes: [] });

describe('rate limit errors', () => {
  it('codes the GraphQL error RATE_LIMITED with whole seconds to wait', () => {
    const error = rateLimitError(refused(1_200));
    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 2 });
    expect(error.message).toBe('Too many requests; retry in 2 s');
  });

  it('rounds Retry-After up, and never below one second', () => {
    expect(retryAfterHeader(refused(1))).toBe('1');
    expect(retryAfterHeader(refused(0))).toBe('1');
    expect(retryAfterHeader(refused(3_000))).toBe('3');
    expect(retryAfterHeader(refused(3_001))).toBe('4');
  });

  it('builds the 429 HTTP response', () => {
    expect(rateLimitHttpResponse(refused(2_500))).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      body: {
        errors: [{ message: 'Too many requests; retry in 3 s', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 } }],
      },
    });
  });
});

describe('callerBucket', () => {
  it('keys identified callers by who they are, whatever their address', () => {
    expect(callerBucket(principal('apiKey', 'k1'), '10.0.0.1')).toEqual({
      key: 'apiKey:k1',
      policy: DEFAULT_CALLER_POLICIES.apiKey,
    });
    expect(callerBucket(principal('user', 'u1'), '10.0.0.2')).toEqual({ key: 'user:u1', policy: DEFAULT_CALLER_POLICIES.user });
    expect(callerBucket(principal('device', 'd1'), undefined)?.key).toBe('device:d1');
  });

  it('keys anonymous callers by address, and leaves unlimited kinds alone', () => {
    expect(callerBucket(ANONYMOUS, '::ffff:192.0.2.7')).toEqual({
      key: 'addr:192.0.2.7',
      policy: DEFAULT_CALLER_POLICIES.anonymous,
    });
    expect(callerBucket(ANONYMOUS, undefined)).toBeUndefined();
    expect(callerBucket(principal('service', 'platform'), '10.0.0.1')).toBeUndefined();
  });

  it('groups IPv6 addresses by /64, since one host usually holds a whole /64', () => {
    expect(addressGroup('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('2001:0db8:0000:0001:ffff:0:0:9')).toBe('2001:db8:0:1::/64');
    expect(addressGroup('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressGroup('::1')).toBe('0:0:0:0::/64');
    expect(addressGroup('not an address')).toBeUndefined();
  });
});
