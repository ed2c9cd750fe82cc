import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The address of the client a request came from, as the gateway saw it, signed
 * like the principal so a subgraph never takes a client's own word for it
 * (users throttles log-ins per address). Sent only on HTTP requests.
 */
export const CLIENT_ADDRESS_HEADER = 'x-eventgraph-client-address';

const TTL_SECONDS = 300;
// a separate purpose in the MAC, so a principal's signature can never pass as an address's
const PURPOSE = 'client-address';

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(`${PURPOSE}:${body}`).digest('base64url');

/** `<base64url(address)>.<expiry seconds>.<hmac>` */
export function signClientAddress(address: string, secret: string, now = Date.now()): string {
  const body = `${Buffer.from(address).toString('base64url')}.${Math.floor(now / 1000) + TTL_SECONDS}`;
  return `${body}.${mac(secret, body)}`;
}

/** The signed address, or undefined when absent, forged or expired (the request then has no known address). */
export function verifyClientAddress(token: string | undefined, secret: string, now = Date.now()): string | undefined {
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  const [address, exp, sig] = parts as [string, string, string];
  const expected = Buffer.from(mac(secret, `${address}.${exp}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (!(Number(exp) * 1000 >= now)) return undefined;
  return Buffer.from(address, 'base64url').toString('utf8') || undefined;
}
