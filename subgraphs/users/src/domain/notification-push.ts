import { badInput, isPrivateHost } from '@eventgraph/runtime';

export interface PushKeys {
  p256dh: string;
  auth: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+=*$/;
const bytes = (value: string) => Buffer.from(value.replace(/=+$/, ''), 'base64url');

/**
 * A browser's push subscription as the Push API gives it (RFC 8030 endpoint, RFC 8291 keys): an https endpoint
 * (http only outside production, for a local push service), never a private address in production; p256dh an
 * uncompressed P-256 point (65 bytes), auth 16 bytes.
 */
export function validatePushSubscription(
  endpoint: string,
  keys: PushKeys,
  production: boolean,
): { endpoint: string; keys: PushKeys } {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw badInput('endpoint', 'the subscription’s endpoint URL');
  }
  if (endpoint.length > 2000) throw badInput('endpoint', 'at most 2000 characters');
  if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) throw badInput('endpoint', 'an https URL');
  if (production && isPrivateHost(url.hostname)) throw badInput('endpoint', 'a public push service');
  const p256dh = keys.p256dh.trim();
  const auth = keys.auth.trim();
  if (!BASE64URL.test(p256dh) || bytes(p256dh).length !== 65 || bytes(p256dh)[0] !== 4)
    throw badInput('keys.p256dh', 'the browser’s P-256 public key, base64url (65 bytes)');
  if (!BASE64URL.test(auth) || bytes(auth).length !== 16) throw badInput('keys.auth', 'the 16-byte auth secret, base64url');
  return { endpoint: url.toString(), keys: { p256dh, auth } };
}
