/** Token bucket: `capacity` is the burst a caller may spend at once, `refillPerSecond` the sustained rate. */
export interface BucketPolicy {
  capacity: number;
  refillPerSecond: number;
}

export interface RateDecision {
  allowed: boolean;
  /** whole tokens left in the bucket after this decision */
  remaining: number;
  /** when refused: how long until the bucket holds enough tokens for this cost; 0 when allowed */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Takes `cost` tokens (default 1) from the bucket `key`, refilled per `policy`, if it holds that many. */
  take(key: string, policy: BucketPolicy, cost?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** Refuses policies and costs that could never be satisfied, rather than refusing every request later. */
export function assertTakeable(policy: BucketPolicy, cost: number): void {
  const { capacity, refillPerSecond } = policy;
  if (!(capacity > 0 && Number.isFinite(capacity)))
    throw new RangeError(`bucket capacity must be a positive number, got ${capacity}`);
  if (!(refillPerSecond > 0 && Number.isFinite(refillPerSecond))) {
    throw new RangeError(`bucket refillPerSecond must be a positive number, got ${refillPerSecond}`);
  }
  if (!(cost >= 0 && cost <= capacity)) throw new RangeError(`cost must be between 0 and the capacity ${capacity}, got ${cost}`);
}
