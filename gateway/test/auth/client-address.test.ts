import type { IncomingMessage } from 'node:http';
import { clientAddressOf } from '../../src/client-address';

const request = (peer: string, forwardedFor?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} }) as IncomingMessage;

describe('the client address', () => {
  it('is the socket’s peer by default, whatever X-Forwarded-For claims', () => {
    expect(clientAddressOf(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('behind trusted proxies, is the entry the outermost of them wrote, never one the client wrote', () => {
    // the client claims 1.1.1.1; our load balancer (the peer, 10.0.0.2) appended what it saw: 203.0.113.9
    expect(clientAddressOf(request('10.0.0.2', '1.1.1.1, 203.0.113.9'), 1)).toBe('203.0.113.9');
    // two proxies of ours: the edge saw 203.0.113.9, the inner one saw the edge (10.0.0.1)
    expect(clientAddressOf(request('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.1'), 2)).toBe('203.0.113.9');
    // fewer entries than hops: the leftmost there is, not a made-up one
    expect(clientAddressOf(request('10.0.0.2'), 1)).toBe('10.0.0.2');
  });
});
