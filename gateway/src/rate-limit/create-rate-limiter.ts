import { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-limiter';
import { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-limiter';
import type { RateLimiter } from './types';

export type RateLimiterConfig =
  | ({ kind: 'memory' } & MemoryRateLimiterOptions)
  | ({ kind: 'redis'; url: string; prefix?: string } & Omit<RedisRateLimiterOptions, 'url' | 'client' | 'prefix'>);

/** Memory for a single replica; Redis when several replicas must share each caller's budget. */
export function createRateLimiter(config: RateLimiterConfig): RateLimiter {
  return config.kind === 'memory' ? new MemoryRateLimiter(config) : new RedisRateLimiter(config);
}
