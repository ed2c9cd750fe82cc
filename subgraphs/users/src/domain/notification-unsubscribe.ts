import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long the link in a message works: long enough for a mail read weeks later, not forever. */
export const UNSUBSCRIBE_TTL_MS = 60 * 24 * 3600_000;
const PURPOSE = 'notification-unsubscribe';

export interface UnsubscribeClaim {
  userId: string;
  /** the channel to stop (EMAIL, PUSH), or ALL */
  channel: string;
  /** expiry, epoch ms */
  expiresAt: number;
}

export type UnsubscribeCheck =
  { ok: true; claim: UnsubscribeClaim } | { ok: false; code: 'UNSUBSCRIBE_TOKEN_INVALID' | 'UNSUBSCRIBE_TOKEN_EXPIRED' };

const mac = (secret: string, body: string) => createHmac('sha256', secret).update(`${PURPOSE}:${body}`).digest('base64url');

/** `<body>.<mac>`: the body (user, channel, expiry) is readable, the HMAC with the platform secret proves we wrote it. */
export function unsubscribeToken(secret: string, claim: UnsubscribeClaim): string {
  const body = Buffer.from(JSON.stringify([claim.userId, claim.channel, claim.expiresAt])).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** A forged or mangled token is INVALID; a genuine one past its expiry is EXPIRED (the signature is checked first). */
export function checkUnsubscribeToken(secret: string, token: string, now = Date.now()): UnsubscribeCheck {
  const [body, signature, extra] = token.trim().split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, code: 'UNSUBSCRIBE_TOKEN_INVALID' };
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, code: 'UNSUBSCRIBE_TOKEN_INVALID' };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, code: 'UNSUBSCRIBE_TOKEN_INVALID' };
  }
  if (!Array.isArray(parts) || parts.length !== 3) return { ok: false, code: 'UNSUBSCRIBE_TOKEN_INVALID' };
  const [userId, channel, expiresAt] = parts as [string, string, number];
  if (typeof expiresAt !== 'number' || now >= expiresAt) return { ok: false, code: 'UNSUBSCRIBE_TOKEN_EXPIRED' };
  return { ok: true, claim: { userId, channel, expiresAt } };
}
