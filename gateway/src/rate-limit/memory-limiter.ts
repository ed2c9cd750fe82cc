import { assertTakeable, type BucketPolicy, type RateDecision, type RateLimiter } from './types';

export interface MemoryRateLimiterOptions {
  /** most buckets kept; past it the least recently used is dropped (default 100,000) */
  maxBuckets?: number;
  /** how often buckets that have refilled completely are dropped (default 30 s; 0 disables the timer) */
  sweepIntervalMs?: number;
  /** monotonic milliseconds; tests replace it */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  capacity: number;
  refillPerMs: number;
}

/**
 * Token buckets in this process only: right for a single replica, for tests,
 * and as the fallback when no shared store is configured. Each gateway replica
 * admits its own `capacity`, so N replicas admit N times the policy.
 *
 * Buckets refill lazily when taken from. A missing bucket counts as full, so a
 * bucket that has refilled completely can be dropped without changing any
 * decision; the sweep does that, and the Map's insertion order (re-inserted on
 * every take) makes dropping the least recently used cheap when `maxBuckets` is
 * reached. Dropping a bucket that is not yet full hands its caller a fresh
 * burst, which only happens when more than `maxBuckets` callers are active.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxBuckets: number;
  private readonly now: () => number;
  private readonly sweeper?: NodeJS.Timeout;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.maxBuckets = options.maxBuckets ?? 100_000;
    this.now = options.now ?? (() => performance.now());
    const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    if (sweepIntervalMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
      this.sweeper.unref(); // never keeps the process alive on its own
    }
  }

  /** Synchronous inside, so concurrent callers can never both spend the same token. */
  async take(key: string, policy: BucketPolicy, cost = 1): Promise<RateDecision> {
    assertTakeable(policy, cost);
    const now = this.now();
    const refillPerMs = policy.refillPerSecond / 1000;
    const stored = this.buckets.get(key);
    let tokens = stored
      ? Math.min(policy.capacity, stored.tokens + Math.max(0, now - stored.updatedAt) * refillPerMs)
      : policy.capacity;
    const allowed = tokens >= cost;
    if (allowed) tokens -= cost;
    this.buckets.delete(key); // re-inserted last: the Map's order is least recently used first
    this.buckets.set(key, { tokens, updatedAt: Math.max(now, stored?.updatedAt ?? now), capacity: policy.capacity, refillPerMs });
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    return { allowed, remaining: Math.floor(tokens), retryAfterMs: allowed ? 0 : Math.ceil((cost - tokens) / refillPerMs) };
  }

  /** Drops buckets that have refilled completely (a missing bucket is a full one). */
  sweep(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * b.refillPerMs >= b.capacity) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.buckets.clear();
  }
}
