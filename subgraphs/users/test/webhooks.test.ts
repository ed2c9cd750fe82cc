import {
  afterFailedAttempt,
  backoffBoundMs,
  backoffDelayMs,
  computeSignature,
  endpointUrlProblem,
  eventTypesProblem,
  isSuccessStatus,
  shouldDisableEndpoint,
  signatureHeader,
  subscribesTo,
  topicMatchesPattern,
  verifySignature,
  WEBHOOK_TOPICS,
} from '../src/domain/webhooks';
import { loadWebhookSettings } from '../src/webhooks/settings';

describe('topics and patterns', () => {
  it('matches exact topics, prefixes with .* and *, only on the allow-list', () => {
    expect(topicMatchesPattern('checkin.recorded', 'checkin.recorded')).toBe(true);
    expect(topicMatchesPattern('event.*', 'event.status_changed')).toBe(true);
    expect(topicMatchesPattern('ingest.*', 'ingest.run.finished')).toBe(true);
    expect(topicMatchesPattern('ingest.run.*', 'ingest.run.started')).toBe(true);
    expect(topicMatchesPattern('event.*', 'events.created')).toBe(false);
    expect(topicMatchesPattern('*', 'series.transitioned')).toBe(true);
    // never anything off the list, whatever the pattern
    expect(topicMatchesPattern('*', 'user.created')).toBe(false);
    expect(topicMatchesPattern('session.*', 'session.reuse_detected')).toBe(false);
    expect(subscribesTo(['gate.created', 'event.*'], 'event.created')).toBe(true);
    expect(subscribesTo(['gate.created'], 'event.created')).toBe(false);
  });

  it('accepts allowed topics and patterns covering one, and names the entry otherwise', () => {
    expect(eventTypesProblem(['checkin.recorded', 'event.*', '*', 'ingest.run.*'])).toBeNull();
    expect(eventTypesProblem([...WEBHOOK_TOPICS])).toBeNull();
    expect(eventTypesProblem([])).toMatchObject({ index: -1 });
    expect(eventTypesProblem(['event.*', 'user.created'])).toMatchObject({
      index: 1,
      message: expect.stringContaining('"user.created" is not a webhook event type'),
    });
    for (const bad of ['nothing.*', 'event.', '>', 'event.>', 'EVENT.CREATED', 'event.*.x', ''])
      expect(eventTypesProblem([bad])).toMatchObject({ index: 0 });
  });
});

describe('endpoint URLs', () => {
  it('takes http and https only', () => {
    expect(endpointUrlProblem('https://hooks.example.com/eg')).toBeNull();
    expect(endpointUrlProblem('http://127.0.0.1:8080/x')).toBeNull();
    expect(endpointUrlProblem('ftp://example.com')).toMatch(/http/);
    expect(endpointUrlProblem('javascript:alert(1)')).toMatch(/http/);
    expect(endpointUrlProblem('not a url')).toMatch(/valid URL/);
    expect(endpointUrlProblem('https://user:pw@example.com')).toMatch(/credentials/);
  });
});

describe('backoff', () => {
  const policy = { baseMs: 10_000, capMs: 3_600_000, jitter: 'full' as const };

  it('doubles the bound per failure up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffBoundMs(policy, n))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
    expect(backoffBoundMs(policy, 12)).toBe(3_600_000);
    expect(backoffBoundMs(policy, 1000)).toBe(3_600_000);
  });

  it('full jitter spreads the delay over [0, bound]', () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(20_000);
    expect(backoffDelayMs(policy, 3, () => 0.999_999_99)).toBe(40_000);
    const samples = Array.from({ length: 200 }, () => backoffDelayMs(policy, 4));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...samples)).toBeLessThanOrEqual(80_000);
    expect(new Set(samples).size).toBeGreaterThan(100);
  });

  it('without jitter waits exactly the bound', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs({ ...policy, jitter: 'none' }, n, () => 0))).toEqual([10_000, 20_000, 40_000]);
  });
});

describe('giving up', () => {
  const limits = { maxAttempts: 12, disableAfterFailures: 20 };
  it('a delivery is dead after its last attempt; an endpoint is disabled at the streak limit', () => {
    expect(afterFailedAttempt(limits, 11)).toBe('retry');
    expect(afterFailedAttempt(limits, 12)).toBe('dead');
    expect(shouldDisableEndpoint(limits, 19)).toBe(false);
    expect(shouldDisableEndpoint(limits, 20)).toBe(true);
    expect([200, 204, 299].every(isSuccessStatus)).toBe(true);
    expect([199, 301, 404, 500].some(isSuccessStatus)).toBe(false);
  });
});

describe('signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"1","type":"checkin.recorded","occurredAt":"2026-01-01T00:00:00.000Z","data":{}}';

  it('is hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // an independent value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac k
    const expected = '1b6ad1bc9bf48c52ce01939866d5877c6cc4e87ddad27e16673cb8c4964394a3';
    expect(computeSignature('k', 1_700_000_000, '{"a":1}')).toBe(expected);
    expect(computeSignature('k', '1700000000', Buffer.from('{"a":1}'))).toBe(expected);
    expect(computeSignature(secret, 1, body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies within the tolerance, rejects tampering, old timestamps and wrong secrets', () => {
    const now = 1_800_000_000;
    const header = signatureHeader([secret], now, body);
    const verify = (over: Partial<Parameters<typeof verifySignature>[0]>) =>
      verifySignature({ secret, rawBody: body, timestamp: String(now), signature: header, nowSeconds: now, ...over });
    expect(verify({})).toEqual({ ok: true });
    expect(verify({ nowSeconds: now + 299 })).toEqual({ ok: true });
    expect(verify({ nowSeconds: now + 301 })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' });
    expect(verify({ rawBody: body.replace('checkin', 'checkout') })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verify({ secret: 'whsec_other' })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verify({ timestamp: String(now + 1), nowSeconds: now })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    expect(verify({ timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'BAD_TIMESTAMP' });
    expect(verify({ signature: 'v1=abc' })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('after a rotation carries one signature per secret; either verifies', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], 100, body);
    expect(header.split(',')).toHaveLength(2);
    for (const s of ['whsec_new', 'whsec_old'])
      expect(verifySignature({ secret: s, rawBody: body, timestamp: '100', signature: header, nowSeconds: 100 })).toEqual({
        ok: true,
      });
    expect(verifySignature({ secret: 'whsec_x', rawBody: body, timestamp: '100', signature: header, nowSeconds: 100 }).ok).toBe(
      false,
    );
  });
});

describe('settings', () => {
  it('defaults, overrides, and names a bad setting', () => {
    expect(loadWebhookSettings({})).toMatchObject({
      timeoutMs: 10_000,
      concurrency: 8,
      maxAttempts: 12,
      disableAfterFailures: 20,
      backoff: { baseMs: 10_000, capMs: 3_600_000, jitter: 'full' },
    });
    expect(loadWebhookSettings({ WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_BACKOFF_JITTER: 'none' })).toMatchObject({
      maxAttempts: 3,
      backoff: { jitter: 'none' },
    });
    expect(() => loadWebhookSettings({ WEBHOOK_CONCURRENCY: '0' })).toThrow(/WEBHOOK_CONCURRENCY/);
    expect(() => loadWebhookSettings({ WEBHOOK_BACKOFF_BASE_MS: '10', WEBHOOK_BACKOFF_CAP_MS: '5' })).toThrow(
      /WEBHOOK_BACKOFF_CAP_MS/,
    );
  });
});
