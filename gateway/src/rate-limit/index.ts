export type { BucketPolicy, RateDecision, RateLimiter } from './types';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-limiter';
export { RedisRateLimiter, DEFAULT_KEY_PREFIX, TOKEN_BUCKET_SCRIPT, type RedisRateLimiterOptions } from './redis-limiter';
export { createRateLimiter, type RateLimiterConfig } from './create-rate-limiter';
export {
  RATE_LIMITED,
  RATE_LIMITED_STATUS,
  rateLimitError,
  rateLimitHttpResponse,
  retryAfterHeader,
  retryAfterSeconds,
} from './errors';
export { DEFAULT_CALLER_POLICIES, addressGroup, callerBucket, type CallerBucket, type CallerPolicies } from './callers';
