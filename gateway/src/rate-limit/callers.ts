import { isIPv4, isIPv6 } from 'node:net';
import type { Principal, PrincipalKind } from '@eventgraph/runtime';
import type { BucketPolicy } from './types';

/** A policy per kind of caller; `undefined` leaves that kind unlimited. */
export type CallerPolicies = Record<PrincipalKind, BucketPolicy | undefined>;

/**
 * Starting points, to be tuned with traffic data: anonymous callers share an
 * address and get the least; gate devices burst when a crowd arrives; platform
 * services are trusted and unlimited.
 */
export const DEFAULT_CALLER_POLICIES: Readonly<CallerPolicies> = Object.freeze({
  anonymous: { capacity: 120, refillPerSecond: 2 },
  user: { capacity: 120, refillPerSecond: 5 },
  apiKey: { capacity: 300, refillPerSecond: 10 },
  device: { capacity: 120, refillPerSecond: 10 },
  service: undefined,
});

export interface CallerBucket {
  key: string;
  policy: BucketPolicy;
}

/**
 * The bucket a request is charged to: its API key, user, device or service
 * when it has one, else the client address. Undefined when the caller's kind is
 * unlimited, or an anonymous caller's address is unknown.
 */
export function callerBucket(
  principal: Principal,
  clientAddress: string | undefined,
  policies: CallerPolicies = DEFAULT_CALLER_POLICIES,
): CallerBucket | undefined {
  const policy = policies[principal.kind];
  if (!policy) return undefined;
  if (principal.kind !== 'anonymous' && principal.id) return { key: `${principal.kind}:${principal.id}`, policy };
  const address = clientAddress && addressGroup(clientAddress);
  return address ? { key: `addr:${address}`, policy } : undefined;
}

/**
 * What one client controls: an IPv4 address, or an IPv6 /64, since a single
 * host is normally given a whole /64 and could otherwise rotate addresses to
 * get a fresh bucket per request. IPv4-mapped IPv6 (::ffff:1.2.3.4) counts as IPv4.
 */
export function addressGroup(address: string): string | undefined {
  const plain = address.replace(/%.*$/, ''); // zone index (fe80::1%eth0)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  if (isIPv4(plain)) return plain;
  if (!isIPv6(plain)) return undefined;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = [
    ...headGroups,
    ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'),
    ...tailGroups,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
