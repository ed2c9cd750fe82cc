import { claimUnpublished, markPublished, prunePublished, releaseClaims, type SqlExecutor } from './outbox';
import { consoleLogger, errorInfo, type BusLogger, type BusTransport } from './transport';

export interface OutboxRelayOptions {
  /** the subgraph's database (a Prisma client, or anything with the raw-SQL methods) */
  db: SqlExecutor;
  transport: BusTransport;
  /** for logs, e.g. the subgraph name */
  name?: string;
  /** rows claimed and published per pass (default 100) */
  batchSize?: number;
  /** safety net for missed pokes and for rows committed by other processes (default 500ms) */
  pollIntervalMs?: number;
  /** how long a claim keeps other relays off a row being published (default 30s); must exceed a publish */
  leaseMs?: number;
  /** first retry delay after a failed pass, doubled per consecutive failure up to maxRetryDelayMs (defaults 100ms, 30s) */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** delete rows published longer ago than this (default 7 days); 0 disables pruning */
  retentionMs?: number;
  /** how often to prune (default 1h) */
  pruneIntervalMs?: number;
  logger?: BusLogger;
}

/**
 * Publishes a subgraph's committed outbox rows to the transport, in id order,
 * then marks them published. Delivery is at-least-once: a crash or failure
 * between publish and mark publishes the rows again (JetStream drops the copy
 * inside its duplicate window because the message id is the event id;
 * consumers dedupe the rest).
 *
 * Several relays (replicas) may share a table; a row's claim keeps it to one
 * of them per pass (see claimUnpublished). Order is per relay pass: with
 * several relays, or rows committed out of id order, consumers may see
 * events slightly out of order and must not rely on strict ordering.
 */
export class OutboxRelay {
  private readonly db: SqlExecutor;
  private readonly transport: BusTransport;
  private readonly logger: BusLogger;
  private readonly name: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;

  private timer: NodeJS.Timeout | undefined;
  /** passes run one at a time; the loop and flush() both queue on this */
  private chain: Promise<unknown> = Promise.resolve();
  /** a flush queued on the chain that has not started yet */
  private queuedFlush: Promise<number> | undefined;
  private looping = false;
  private pokedDuringPass = false;
  private failures = 0;
  private lastPruneAt = 0;
  private started = false;
  private stopped = false;

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.transport = options.transport;
    this.logger = options.logger ?? consoleLogger;
    this.name = options.name ?? 'outbox';
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600_000;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 3600_000;
  }

  /** Starts the loop: a pass now, then on every poke and every poll interval. */
  start(): this {
    if (this.started || this.stopped) return this;
    this.started = true;
    this.schedule(0);
    return this;
  }

  /**
   * Wakes the relay now; call it right after committing a transaction that
   * recorded events. Ignored while backing off after failures, so a broken
   * transport is not hammered once per commit.
   */
  poke(): void {
    if (!this.started || this.stopped || this.failures > 0) return;
    if (this.looping) this.pokedDuringPass = true;
    else this.schedule(0);
  }

  /**
   * Publishes everything unpublished and not claimed by someone else, now,
   * and returns how many rows it published; rejects if a publish fails.
   * For shutdown, scripts and tests; the loop does not need it.
   */
  flush(): Promise<number> {
    // callers that arrive while a flush waits its turn share it: it starts after their commits, so it
    // publishes their rows too, and a burst of mutations costs one pass instead of one each
    if (this.queuedFlush) return this.queuedFlush;
    const flush = this.exclusive(() => {
      this.queuedFlush = undefined;
      return this.publishUntilEmpty(false);
    });
    this.queuedFlush = flush;
    return flush;
  }

  /** Stops the loop after the batch in flight has been published and marked. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain;
  }

  /** Deletes published rows past retention; the loop does this every pruneIntervalMs. */
  prune(): Promise<number> {
    return this.retentionMs > 0 ? prunePublished(this.db, this.retentionMs) : Promise.resolve(0);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // the relay alone should not keep a process alive
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.looping) return;
    this.looping = true;
    let next = this.pollIntervalMs;
    try {
      await this.exclusive(async () => {
        do {
          if (this.stopped) return;
          this.pokedDuringPass = false;
          await this.publishUntilEmpty(true);
        } while (this.pokedDuringPass && !this.stopped);
      });
      this.failures = 0;
    } catch (err) {
      this.failures++;
      const base = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (this.failures - 1));
      next = Math.round(base * (0.5 + Math.random() / 2)); // jitter, so replicas do not retry in step
      this.logger.warn(
        { ...errorInfo(err), relay: this.name, failures: this.failures, retryInMs: next },
        'outbox relay pass failed; rows stay unpublished',
      );
    } finally {
      this.looping = false;
    }
    await this.pruneIfDue();
    this.schedule(next);
  }

  private async publishUntilEmpty(yieldToStop: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.batchSize || (yieldToStop && this.stopped)) return total;
    }
  }

  private async publishBatch(): Promise<number> {
    const events = await claimUnpublished(this.db, this.batchSize, this.leaseMs);
    if (events.length === 0) return 0;
    const ids = events.map((e) => e.id);
    try {
      await this.transport.publish(events);
    } catch (err) {
      await releaseClaims(this.db, ids).catch((releaseErr: unknown) =>
        this.logger.warn(
          { ...errorInfo(releaseErr), relay: this.name },
          'could not release outbox claims; they expire with their lease',
        ),
      );
      throw err;
    }
    // if this fails the rows stay claimed until the lease ends, then go out again: a duplicate, not a loss
    await markPublished(this.db, ids);
    return events.length;
  }

  private async pruneIfDue(): Promise<void> {
    if (this.retentionMs <= 0 || this.stopped || Date.now() - this.lastPruneAt < this.pruneIntervalMs) return;
    this.lastPruneAt = Date.now();
    try {
      await this.exclusive(() => this.prune());
    } catch (err) {
      this.logger.warn({ ...errorInfo(err), relay: this.name }, 'outbox prune failed');
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
