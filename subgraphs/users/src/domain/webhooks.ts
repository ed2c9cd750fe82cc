import { createHmac, timingSafeEqual } from 'node:crypto';
import { isPrivateHost } from './network-targets';

/**
 * Webhooks: which bus topics an endpoint may subscribe to, when to retry a
 * failed delivery, when to give up on an endpoint, and how a delivery is
 * signed. Pure rules: no GraphQL, no database, no network.
 */

/**
 * The bus topics an organisation's endpoints may receive, each carrying the
 * organisation's id in its payload. Anything else on the bus (user accounts,
 * sessions, platform-wide sources) is never sent to a webhook.
 */
export const WEBHOOK_TOPICS = [
  'organization.created',
  'membership.changed',
  'invitation.created',
  'venue.created',
  'event.created',
  'event.status_changed',
  'event.published',
  'event.updated',
  'event.cancelled',
  'event.deleted',
  'venue.updated',
  'gate.created',
  'series.created',
  'series.transitioned',
  'wristband.created',
  'checkin.recorded',
  'booking.confirmed',
  'booking.cancelled',
  'booking.payment_changed',
  'waitlist.offered',
  'rsvp.changed',
  'ingest.run.started',
  'ingest.run.finished',
  'webhook.endpoint_disabled',
] as const;

export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

const ALLOWED = new Set<string>(WEBHOOK_TOPICS);
const PATTERN = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

/**
 * Does `pattern` (an endpoint's event type) cover `topic`? A pattern is a
 * topic (`checkin.recorded`), a prefix with `.*` (`event.*`, `ingest.*`:
 * every topic starting with it, however many tokens follow), or `*` (every
 * topic). Only topics on the allow-list ever match.
 */
export function topicMatchesPattern(pattern: string, topic: string): boolean {
  if (!ALLOWED.has(topic)) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

export const subscribesTo = (eventTypes: readonly string[], topic: string) =>
  eventTypes.some((p) => topicMatchesPattern(p, topic));

export type EventTypesProblem = { index: number; message: string } | null;

/** Checks an endpoint's event types: at least one, at most 50, each a topic or pattern covering at least one allowed topic. */
export function eventTypesProblem(eventTypes: readonly string[]): EventTypesProblem {
  if (eventTypes.length === 0) return { index: -1, message: 'name at least one event type' };
  if (eventTypes.length > 50) return { index: -1, message: 'at most 50 event types' };
  for (const [index, value] of eventTypes.entries()) {
    const known = PATTERN.test(value) && WEBHOOK_TOPICS.some((topic) => topicMatchesPattern(value, topic));
    if (!known)
      return {
        index,
        message: `${JSON.stringify(value)} is not a webhook event type; use one of ${WEBHOOK_TOPICS.join(', ')}, a prefix like event.*, or *`,
      };
  }
  return null;
}

/** The event types as stored: trimmed, without duplicates, in the order given. */
export const normaliseEventTypes = (eventTypes: readonly string[]) => [...new Set(eventTypes.map((t) => t.trim()))];

/** Only absolute http(s) URLs without credentials (and, with `denyPrivate`, not on a private address); returns the problem, or null. */
export function endpointUrlProblem(value: string, denyPrivate = false): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'is not a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (value.length > 2000) return 'at most 2000 characters';
  if (denyPrivate && isPrivateHost(url.hostname)) return 'must not point to a private or local address';
  return null;
}

export interface BackoffPolicy {
  /** delay bound after the first failure; doubled per further failure */
  baseMs: number;
  /** the bound never exceeds this */
  capMs: number;
  /** `full`: uniform in [0, bound] (AWS "full jitter", the default); `none`: exactly the bound */
  jitter: 'full' | 'none';
}

/** Upper bound of the delay after the `failures`-th failed attempt (1-based): base·2^(failures-1), capped. */
export function backoffBoundMs(policy: BackoffPolicy, failures: number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 40);
  return Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
}

/** Delay before the next attempt after the `failures`-th failed one; `random` in [0, 1) is injectable for tests. */
export function backoffDelayMs(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const bound = backoffBoundMs(policy, failures);
  return policy.jitter === 'none' ? bound : Math.floor(random() * (bound + 1));
}

export interface RetryLimits {
  /** attempts per delivery before it is DEAD */
  maxAttempts: number;
  /** failed attempts in a row on one endpoint before it is disabled */
  disableAfterFailures: number;
}

/** What happens to a delivery after an attempt that failed: another try later, or dead. */
export const afterFailedAttempt = (limits: RetryLimits, attempts: number): 'retry' | 'dead' =>
  attempts >= limits.maxAttempts ? 'dead' : 'retry';

/** Is an endpoint with this failure streak to be disabled? */
export const shouldDisableEndpoint = (limits: RetryLimits, consecutiveFailures: number) =>
  consecutiveFailures >= limits.disableAfterFailures;

/** 2xx is success; everything else (3xx included: redirects are not followed) is a failure. */
export const isSuccessStatus = (status: number) => status >= 200 && status < 300;

/** The header names of a delivery. */
export const WEBHOOK_HEADERS = {
  id: 'Eventgraph-Webhook-Id',
  timestamp: 'Eventgraph-Timestamp',
  signature: 'Eventgraph-Signature',
} as const;

/** hex HMAC-SHA256 of `<timestamp>.<raw body>` with the endpoint secret (the whole `whsec_…` string, as UTF-8). */
export const computeSignature = (secret: string, timestamp: number | string, rawBody: string | Buffer) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');

/** The Eventgraph-Signature header: `v1=<hex>`, one per secret (two right after a rotation), comma-separated. */
export const signatureHeader = (secrets: readonly string[], timestamp: number, rawBody: string) =>
  secrets.map((secret) => `v1=${computeSignature(secret, timestamp, rawBody)}`).join(',');

export type VerifyResult =
  { ok: true } | { ok: false; reason: 'MISSING_HEADERS' | 'BAD_TIMESTAMP' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'BAD_SIGNATURE' };

/**
 * What a receiver does with a delivery before trusting it: the timestamp is
 * within `toleranceSeconds` of now (replays of old deliveries fail), and one
 * of the `v1=` signatures equals the one computed with `secret` (compared in
 * constant time). Dedupe by the webhook id is the receiver's job on top.
 */
export function verifySignature(input: {
  secret: string;
  rawBody: string | Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): VerifyResult {
  const { secret, rawBody, timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'MISSING_HEADERS' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'BAD_TIMESTAMP' };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? 300))
    return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' };
  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), 'hex');
  const matches = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  return matches ? { ok: true } : { ok: false, reason: 'BAD_SIGNATURE' };
}
