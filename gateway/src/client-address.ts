import type { IncomingMessage } from 'node:http';

/**
 * The address of the client behind a request. The socket's peer, unless the
 * gateway is told how many proxies of its own stand in front of it
 * (`EVENTGRAPH_TRUSTED_PROXY_HOPS`): then the X-Forwarded-For entry that the
 * outermost trusted proxy wrote. Entries further left were written by the
 * client and are never believed, so a client cannot pick its own bucket.
 */
export function clientAddressOf(req: IncomingMessage, trustedProxyHops = 0): string | undefined {
  const peer = req.socket.remoteAddress;
  if (trustedProxyHops <= 0) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  const listed = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // [what the client claimed…, what each proxy saw…, the peer]: count the trusted hops from the right
  const chain = [...listed, ...(peer ? [peer] : [])];
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)];
}
