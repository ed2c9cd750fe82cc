import { ConfigError } from '@eventgraph/runtime';
import type { BackoffPolicy, RetryLimits } from '../domain/webhooks';

/** How webhooks are sent: read from the environment once, when the users subgraph starts. */
export interface WebhookSettings extends RetryLimits {
  backoff: BackoffPolicy;
  /** per attempt: connect, send and read the answer */
  timeoutMs: number;
  /** attempts in flight at once, per users process */
  concurrency: number;
  /** how often the worker looks for due deliveries (a new delivery in this process wakes it at once) */
  pollIntervalMs: number;
  /** a worker's claim on a delivery; past it, another worker may send it again. Always longer than the timeout */
  leaseMs: number;
  /** after a rotation, deliveries are signed with the old secret too for this long */
  secretOverlapMs: number;
  /**
   * `deny`: endpoints on loopback, private or link-local addresses are refused, at registration and
   * at every attempt (server-side request forgery). The default in production; `allow` elsewhere, so a
   * receiver on this machine works in development.
   */
  privateTargets: 'allow' | 'deny';
}

const DEFAULTS = {
  WEBHOOK_TIMEOUT_MS: 10_000,
  WEBHOOK_CONCURRENCY: 8,
  WEBHOOK_MAX_ATTEMPTS: 12,
  WEBHOOK_DISABLE_AFTER_FAILURES: 20,
  WEBHOOK_BACKOFF_BASE_MS: 10_000,
  WEBHOOK_BACKOFF_CAP_MS: 3_600_000,
  WEBHOOK_POLL_INTERVAL_MS: 1_000,
  WEBHOOK_SECRET_OVERLAP_SECONDS: 86_400,
};

/**
 * WEBHOOK_TIMEOUT_MS, WEBHOOK_CONCURRENCY, WEBHOOK_MAX_ATTEMPTS,
 * WEBHOOK_DISABLE_AFTER_FAILURES, WEBHOOK_BACKOFF_BASE_MS,
 * WEBHOOK_BACKOFF_CAP_MS, WEBHOOK_BACKOFF_JITTER (full | none),
 * WEBHOOK_POLL_INTERVAL_MS, WEBHOOK_SECRET_OVERLAP_SECONDS, WEBHOOK_PRIVATE_TARGETS (allow | deny;
 * default deny when NODE_ENV=production, else allow); a bad value
 * stops the start with a message naming the setting.
 */
export function loadWebhookSettings(env: Record<string, string | undefined> = process.env): WebhookSettings {
  const problems: string[] = [];
  const int = (name: keyof typeof DEFAULTS, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return DEFAULTS[name];
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) problems.push(`${name}: must be an integer >= ${min}`);
    return value;
  };
  const jitter = env.WEBHOOK_BACKOFF_JITTER || 'full';
  if (jitter !== 'full' && jitter !== 'none') problems.push('WEBHOOK_BACKOFF_JITTER: must be full or none');
  const timeoutMs = int('WEBHOOK_TIMEOUT_MS', 100);
  const privateTargets = env.WEBHOOK_PRIVATE_TARGETS || (env.NODE_ENV === 'production' ? 'deny' : 'allow');
  if (privateTargets !== 'allow' && privateTargets !== 'deny') problems.push('WEBHOOK_PRIVATE_TARGETS: must be allow or deny');
  const settings: WebhookSettings = {
    timeoutMs,
    concurrency: int('WEBHOOK_CONCURRENCY', 1),
    maxAttempts: int('WEBHOOK_MAX_ATTEMPTS', 1),
    disableAfterFailures: int('WEBHOOK_DISABLE_AFTER_FAILURES', 1),
    backoff: {
      baseMs: int('WEBHOOK_BACKOFF_BASE_MS', 1),
      capMs: int('WEBHOOK_BACKOFF_CAP_MS', 1),
      jitter: jitter as BackoffPolicy['jitter'],
    },
    pollIntervalMs: int('WEBHOOK_POLL_INTERVAL_MS', 10),
    leaseMs: timeoutMs + 30_000,
    secretOverlapMs: int('WEBHOOK_SECRET_OVERLAP_SECONDS', 0) * 1000,
    privateTargets: privateTargets as WebhookSettings['privateTargets'],
  };
  if (settings.backoff.capMs < settings.backoff.baseMs)
    problems.push('WEBHOOK_BACKOFF_CAP_MS: must be at least WEBHOOK_BACKOFF_BASE_MS');
  if (problems.length) throw new ConfigError(problems);
  return settings;
}
