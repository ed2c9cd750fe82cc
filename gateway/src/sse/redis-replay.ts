import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { runPeriodically, type Logger } from '@eventgraph/runtime';
import type { ReplayLimits } from './replay-buffer';

/**
 * Every stream's replay kept in Redis as well, so a client that reconnects to another gateway replica with
 * its Last-Event-ID gets what it missed there too. Per stream token, two keys with the replay window as TTL:
 * `<prefix><token>:log`, a list of `<sequence> <at> <message>`, bounded by the same count and bytes as the
 * replica's buffer (and by age when read); and `<prefix><token>:meta`, a hash of the stream's key (a
 * hash of caller, operation and variables: only the same caller's same operation may resume it), the
 * newest sequence written, the newest no longer kept (`droppedThrough`) and `coveredAt`: every event that
 * reached the stream before it has been written. A replica that cannot reach Redis writes nothing durable:
 * a write that never arrived shows as a gap (the next write or heartbeat finds `last` behind), and a read
 * that fails answers "not covered" (`reset`), so an event is never lost without the client being told.
 */
export interface SharedReplay {
  /** Starts recording a stream; the returned record is written to as it publishes. */
  record(token: string, key: string, sequence: () => number): StreamRecord;
  /** What another stream (`token`) recorded after `sequence`, when `key` is its key and nothing after it was dropped. */
  read(token: string, key: string, sequence: number): Promise<RecordedReplay | undefined>;
  /** how often open streams say they are still covering (and how long a resume may wait for the next one) */
  readonly heartbeatMs: number;
  close(): Promise<void>;
}

export interface StreamRecord {
  append(sequence: number, text: string): void;
  /** the stream ended: its record stays for the replay window, covering up to now */
  end(): void;
}

export interface RecordedReplay {
  /** the messages after the sequence asked for, oldest first */
  messages: string[];
  /** every event that reached that stream before this time (its replica's clock, ms) is in its record */
  coveredAt: number;
  /** the stream has ended: `coveredAt` will not advance */
  ended: boolean;
}

/** Appends a message, trims to the bounds, moves `coveredAt`; a sequence that does not follow `last` marks a gap. */
const APPEND = `
local meta, log = KEYS[1], KEYS[2]
local seq, at, text = tonumber(ARGV[1]), ARGV[2], ARGV[3]
local last = tonumber(redis.call('HGET', meta, 'last') or '0')
if seq ~= last + 1 then redis.call('HSET', meta, 'droppedThrough', seq - 1) redis.call('DEL', log) redis.call('HSET', meta, 'bytes', 0) end
redis.call('RPUSH', log, ARGV[1] .. ' ' .. at .. ' ' .. text)
local bytes = redis.call('HINCRBY', meta, 'bytes', #text)
redis.call('HSET', meta, 'last', seq, 'coveredAt', at)
local n = redis.call('LLEN', log)
while n > 0 and (n > tonumber(ARGV[4]) or bytes > tonumber(ARGV[5])) do
  local entry = redis.call('LPOP', log)
  local first = string.find(entry, ' ', 1, true)
  local second = string.find(entry, ' ', first + 1, true)
  bytes = redis.call('HINCRBY', meta, 'bytes', -(#entry - second))
  redis.call('HSET', meta, 'droppedThrough', string.sub(entry, 1, first - 1))
  n = n - 1
end
redis.call('PEXPIRE', meta, ARGV[6])
redis.call('PEXPIRE', log, ARGV[6])
`;

/** Still covering at `at`, having published through `seq`: a `last` behind it means a write was lost (a gap). */
const HEARTBEAT = `
local meta, log = KEYS[1], KEYS[2]
if redis.call('EXISTS', meta) == 0 then return 0 end
local seq = tonumber(ARGV[1])
if tonumber(redis.call('HGET', meta, 'last') or '0') ~= seq then
  redis.call('HSET', meta, 'droppedThrough', seq, 'last', seq, 'bytes', 0)
  redis.call('DEL', log)
end
redis.call('HSET', meta, 'coveredAt', ARGV[2])
if ARGV[4] == '1' then redis.call('HSET', meta, 'ended', 1) end
redis.call('PEXPIRE', meta, ARGV[3])
redis.call('PEXPIRE', log, ARGV[3])
return 1
`;

export interface RedisReplayOptions {
  url: string;
  /** prepended to every key (default 'eventgraph:sse:') */
  prefix?: string;
  limits: ReplayLimits;
  /** default 500 ms */
  heartbeatMs?: number;
  logger: Pick<Logger, 'warn'>;
}

export const streamKeyHash = (key: string) => createHash('sha256').update(key).digest('base64url');

export function redisReplay(options: RedisReplayOptions): SharedReplay {
  const prefix = options.prefix ?? 'eventgraph:sse:';
  const { maxEvents, maxBytes, maxAgeMs } = options.limits;
  const heartbeatMs = options.heartbeatMs ?? 500;
  // a stream never waits on Redis: writes are sent in order on one connection and their failures logged
  const redis = new Redis(options.url, {
    commandTimeout: 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    disconnectTimeout: 250,
  });
  redis.defineCommand('sseAppend', { numberOfKeys: 2, lua: APPEND });
  redis.defineCommand('sseHeartbeat', { numberOfKeys: 2, lua: HEARTBEAT });
  const commands = redis as unknown as Record<'sseAppend' | 'sseHeartbeat', (...args: (string | number)[]) => Promise<unknown>>;
  let warnedAt = -Infinity;
  const warn = (err: unknown) => {
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    options.logger.warn({ err }, 'event-stream replay could not be written to Redis; resumes on other replicas get `reset`');
  };
  redis.on('error', warn);
  const keys = (token: string) => [`${prefix}${token}:meta`, `${prefix}${token}:log`] as const;
  // the window plus a heartbeat: a record outlives its last write by the replay window
  const ttl = maxAgeMs + heartbeatMs;
  const open = new Map<string, () => number>();

  const heartbeat = (token: string, sequence: number, ended: boolean) =>
    commands.sseHeartbeat(...keys(token), sequence, Date.now(), ttl, ended ? '1' : '0');
  const stopHeartbeats = runPeriodically(
    'event-stream replay heartbeat',
    heartbeatMs,
    async () => {
      if (open.size === 0 || redis.status !== 'ready') return;
      await Promise.all([...open].map(([token, sequence]) => heartbeat(token, sequence(), false).catch(warn)));
    },
    options.logger,
  );

  return {
    heartbeatMs,
    record(token, key, sequence) {
      const [meta, log] = keys(token);
      redis
        .multi()
        .hset(meta, 'key', streamKeyHash(key), 'last', 0, 'droppedThrough', 0, 'bytes', 0, 'coveredAt', Date.now())
        .pexpire(meta, ttl)
        .del(log)
        .exec()
        .catch(warn);
      open.set(token, sequence);
      return {
        append: (seq, text) => void commands.sseAppend(meta, log, seq, Date.now(), text, maxEvents, maxBytes, ttl).catch(warn),
        end() {
          if (open.delete(token)) void heartbeat(token, sequence(), true).catch(warn);
        },
      };
    },
    async read(token, key, sequence) {
      const [meta, log] = keys(token);
      let reply: [Record<string, string>, string[]];
      try {
        const [[, fields], [, entries]] = (await redis.multi().hgetall(meta).lrange(log, 0, -1).exec()) as [
          [unknown, Record<string, string>],
          [unknown, string[]],
        ];
        reply = [fields, entries];
      } catch (err) {
        warn(err);
        return undefined;
      }
      const [fields, entries] = reply;
      if (fields.key !== streamKeyHash(key) || sequence > Number(fields.last)) return undefined;
      // what is past the age bound counts as dropped, as in the replica's own buffer
      const oldest = Date.now() - maxAgeMs;
      let droppedThrough = Number(fields.droppedThrough ?? 0);
      const messages: string[] = [];
      for (const entry of entries) {
        const first = entry.indexOf(' ');
        const second = entry.indexOf(' ', first + 1);
        const seq = Number(entry.slice(0, first));
        if (Number(entry.slice(first + 1, second)) < oldest) droppedThrough = Math.max(droppedThrough, seq);
        else if (seq > sequence) messages.push(entry.slice(second + 1));
      }
      if (sequence < droppedThrough) return undefined;
      return { messages, coveredAt: Number(fields.coveredAt), ended: fields.ended === '1' };
    },
    async close() {
      await stopHeartbeats();
      for (const [token, sequence] of open) await heartbeat(token, sequence(), true).catch(warn);
      open.clear();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
