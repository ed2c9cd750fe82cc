import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import type { EngineLogger } from '../subscriptions/logger';
import { assertTakeable, type BucketPolicy, type RateDecision, type RateLimiter } from './types';

/**
 * One bucket per key, a hash { tokens, ts }. Everything happens in one script,
 * which Redis runs atomically, so replicas taking from the same bucket at the
 * same moment are serialized and can never spend a token twice. Time comes from
 * the Redis server (TIME), not the caller, so replicas whose clocks disagree
 * still refill every bucket at the same rate. A bucket expires once it would
 * have refilled completely: a missing bucket is a full one.
 *
 * Numbers are stored with %.17g because Lua's default conversion keeps 14
 * significant digits, too few for a timestamp in microseconds.
 */
export const TOKEN_BUCKET_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local refillPerUs = tonumber(ARGV[2]) / 1000000
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(stored[1])
local updated = tonumber(stored[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
elseif now > updated then
  tokens = math.min(capacity, tokens + (now - updated) * refillPerUs)
  updated = now
else
  tokens = math.min(capacity, tokens)
end
if tokens < cost then
  return {0, math.floor(tokens), math.ceil((cost - tokens) / refillPerUs / 1000)}
end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', updated))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refillPerUs / 1000) + 1)
return {1, math.floor(tokens), 0}
`;
const SCRIPT_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

export const DEFAULT_KEY_PREFIX = 'eventgraph:rate:';

export interface RedisRateLimiterOptions {
  /** redis://… URL; ignored when `client` is given */
  url?: string;
  /** an existing connection to use; the limiter then leaves closing it to its owner */
  client?: Redis;
  /** prepended to every bucket key (default 'eventgraph:rate:') */
  prefix?: string;
  /**
   * What to answer while Redis cannot be reached or is too slow (default 'open').
   * Open: requests are admitted, with a warning logged. The limiter guards the
   * subgraphs against a few greedy callers; failing closed would turn a Redis
   * outage into a full API outage for every caller, while failing open only
   * removes the per-caller limits for its duration (the operation limits and
   * subgraph capacity still apply). Choose 'closed' where being over-admitted is
   * worse than being down, e.g. for a login or an expensive mutation.
   */
  onRedisFailure?: 'open' | 'closed';
  /** longest a decision may wait for Redis before counting as a failure (default 250 ms) */
  timeoutMs?: number;
  logger?: Pick<EngineLogger, 'warn'>;
}

/** While Redis is down every request fails over; one warning per this long is enough. */
const WARN_EVERY_MS = 10_000;

/** Token buckets shared by every gateway replica through one Redis. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly ownsClient: boolean;
  private readonly prefix: string;
  private readonly failOpen: boolean;
  private readonly logger?: Pick<EngineLogger, 'warn'>;
  private lastWarnedAt = -Infinity;

  constructor(options: RedisRateLimiterOptions) {
    this.prefix = options.prefix ?? DEFAULT_KEY_PREFIX;
    this.failOpen = (options.onRedisFailure ?? 'open') === 'open';
    this.logger = options.logger;
    const timeoutMs = options.timeoutMs ?? 250;
    if (options.client) {
      this.redis = options.client;
      this.ownsClient = false;
    } else {
      if (!options.url) throw new Error('RedisRateLimiter needs a url or a client');
      this.redis = new Redis(options.url, {
        // a request must not wait on a dead Redis: queued commands time out, and
        // are failed after one reconnection attempt rather than ioredis's default 20
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 1,
        connectTimeout: Math.max(timeoutMs, 1_000),
        retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
        // how long disconnect() lets a dead socket linger (2 s by default), holding the process open
        disconnectTimeout: timeoutMs,
      });
      this.ownsClient = true;
      // without a listener ioredis reports connection errors as unhandled; take() reports them per request
      this.redis.on('error', (err: Error) => this.warn(err, 'rate limiter lost its Redis connection'));
    }
  }

  async take(key: string, policy: BucketPolicy, cost = 1): Promise<RateDecision> {
    assertTakeable(policy, cost);
    const args = [this.prefix + key, policy.capacity, policy.refillPerSecond, cost] as const;
    let reply: unknown;
    try {
      try {
        reply = await this.redis.evalsha(SCRIPT_SHA, 1, ...args);
      } catch (err) {
        if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
        // first use on this server, or its script cache was flushed: EVAL also caches it again
        reply = await this.redis.eval(TOKEN_BUCKET_SCRIPT, 1, ...args);
      }
    } catch (err) {
      this.warn(
        err as Error,
        this.failOpen
          ? 'rate limiter cannot reach Redis; admitting requests'
          : 'rate limiter cannot reach Redis; refusing requests',
      );
      // retrying in a second gives Redis time to come back without clients hammering the gateway
      return this.failOpen
        ? { allowed: true, remaining: 0, retryAfterMs: 0 }
        : { allowed: false, remaining: 0, retryAfterMs: 1_000 };
    }
    const [allowed, remaining, retryAfterMs] = reply as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect(); // quit() would wait for a connection that may never come
    }
  }

  private warn(err: Error, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnedAt < WARN_EVERY_MS) return;
    this.lastWarnedAt = now;
    this.logger?.warn({ err: err.message }, message);
  }
}
