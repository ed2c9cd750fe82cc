import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FetchErrorCode } from './records';

/**
 * The signature a partner puts on a pushed batch (Stripe-like):
 *   X-Eventgraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=<…>]
 * Several v1 values are allowed so a partner can sign with the old and the new secret while rotating.
 * The timestamp bounds replays to a window; within it, each signature is accepted once (see replayKey).
 * Pure: no clock (callers pass `now`), no storage.
 */

export const SIGNATURE_HEADER = 'x-eventgraph-signature';
/** how far a signature's timestamp may be from our clock, either way */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type PushRefusal = Extract<FetchErrorCode, 'BAD_SIGNATURE' | 'STALE_TIMESTAMP'>;

export type SignatureCheck =
  { ok: true; timestamp: number; signature: string } | { ok: false; code: PushRefusal; reason: string };

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

function parseHeader(header: string | undefined | null): ParsedHeader | null {
  if (!header || header.length > 2048) return null;
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value, extra] = part.trim().split('=');
    if (value === undefined || extra !== undefined) return null;
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return null;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return null;
      signatures.push(value.toLowerCase());
    } // other schemes are ignored, so a later version can be added beside v1
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

const hmac = (secret: string, timestamp: number, body: Buffer | string) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();

/**
 * Checks a signature header against the raw body and the source's secrets (the current one, and the previous
 * one during a rotation). `now` in milliseconds. On success, the signature that matched (for replayKey).
 */
export function verifyPushSignature(
  header: string | undefined | null,
  body: Buffer | string,
  secrets: readonly string[],
  now: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): SignatureCheck {
  const parsed = parseHeader(header);
  if (!parsed)
    return { ok: false, code: 'BAD_SIGNATURE', reason: `${SIGNATURE_HEADER} is missing or not of the form t=<seconds>,v1=<hex>` };
  if (Math.abs(now / 1000 - parsed.timestamp) > toleranceSeconds)
    return {
      ok: false,
      code: 'STALE_TIMESTAMP',
      reason: `the signature's timestamp is more than ${toleranceSeconds} s from the server's clock`,
    };
  for (const secret of secrets) {
    const expected = hmac(secret, parsed.timestamp, body);
    const matched = parsed.signatures.find((given) => timingSafeEqual(Buffer.from(given, 'hex'), expected));
    if (matched) return { ok: true, timestamp: parsed.timestamp, signature: matched };
  }
  return { ok: false, code: 'BAD_SIGNATURE', reason: 'no signature matches the body and the source secret' };
}

/** What identifies one delivery for replay refusal: the same timestamp and signature seen twice is a replay. */
export const replayKey = (timestamp: number, signature: string): string =>
  createHash('sha256').update(`${timestamp}.${signature.toLowerCase()}`).digest('hex');

/** The header value for a body (tests, SDK examples, partners' code): `t=<t>,v1=<hmac>`. `t` in unix seconds. */
export const signPush = (secret: string, body: Buffer | string, t: number): string =>
  `t=${t},v1=${hmac(secret, t, body).toString('hex')}`;
