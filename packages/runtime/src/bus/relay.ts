import type { BusEvent } from './event';
import {
  claimUnpublished,
  deletePublished,
  owedEvents,
  prunePublished,
  publishOwing,
  releaseClaims,
  settleDeliveries,
  unpublished,
  type SqlExecutor,
} from './outbox';
import { consoleLogger, errorInfo, type BusLogger, type BusTransport, type OwedDelivery, type Settled } from './transport';

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
  /**
   * nothing is published before this settles: the launcher resolves it once every durable consumer group
   * of the process has joined, so no row is judged before the groups that owe it are known
   */
  startAfter?: Promise<unknown>;
  logger?: BusLogger;
}

/** settled deliveries cleared per statement */
const SETTLE_BATCH = 1000;

/**
 * Publishes a subgraph's committed outbox rows to the transport, in id order,
 * then deletes them: a row is written once, claimed once (its one update) and
 * deleted, never marked published and pruned later. Delivery is at-least-once:
 * a crash or failure between publish and delete publishes the rows again
 * (JetStream drops the copy inside its duplicate window because the message id
 * is the event id; consumers dedupe the rest).
 *
 * On a transport that keeps nothing across a restart (in memory, see
 * OwedDelivery) the relay keeps each durable group's debt instead: it is the
 * table's only publisher, so it claims nothing; it marks a row published together
 * with one OutboxDelivery row per group that consumes it (a row nobody consumes is
 * deleted at once), hands it over, and deletes each group's row once the transport
 * says the group has handled the event, the event's row with the last of them.
 * When it starts, it delivers what is still owed again, to the groups owing it.
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
  private readonly startAfter: Promise<unknown>;
  private readonly owed: OwedDelivery | undefined;
  /** resolves when stop() is called, so a pass waiting for startAfter gives up */
  private readonly stopping: Promise<void>;
  private signalStop!: () => void;
  /** the first pass's preparation (waiting for the groups, redelivering what is owed), once */
  private prepared: Promise<void> | undefined;
  private groupsJoined = false;
  private readonly settledQueue: Array<{ eventId: string; consumer: string }> = [];
  private settling: Promise<void> | undefined;
  private settlingClosed = false;

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
    this.startAfter = (options.startAfter ?? Promise.resolve()).catch(() => undefined);
    this.owed = options.transport.owedDelivery;
    this.stopping = new Promise((resolve) => (this.signalStop = resolve));
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
    const flush = this.exclusive(async () => {
      this.queuedFlush = undefined;
      await this.prepare();
      // stopped before the groups had joined: nothing may be judged
      return this.groupsJoined ? this.publishUntilEmpty(false) : 0;
    });
    this.queuedFlush = flush;
    return flush;
  }

  /**
   * Stops the loop after the batch in flight has been published and marked, and records what groups
   * have settled so far; what they settle later stays owed (delivered again after the next start).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    clearTimeout(this.timer);
    await this.chain;
    while (this.settling) await this.settling;
    this.settlingClosed = true;
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
        await this.prepare();
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
    if (this.owed) return this.deliverOwing(this.owed, await unpublished(this.db, this.batchSize));
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
    await deletePublished(this.db, ids);
    return events.length;
  }

  /** Records what each group will owe with the mark, then hands the events over: a crash in between leaves them owed. */
  private async deliverOwing(owed: OwedDelivery, events: BusEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const deliveries = events.map((event) => ({ event, consumers: owed.groupsFor(event.topic) }));
    const debts = deliveries.flatMap(({ event, consumers }) => consumers.map((consumer) => ({ eventId: event.id, consumer })));
    await publishOwing(
      this.db,
      events.map((e) => e.id),
      debts,
    );
    owed.deliver(deliveries, { live: true, settled: this.settled });
    return events.length;
  }

  /**
   * Before the first pass: waits for startAfter (the groups have joined). With owed delivery, this
   * process is the only one publishing from the table (an in-memory bus lives in one process), so
   * it ignores the claims of a dead process and delivers again what the groups still owe.
   */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await Promise.race([this.startAfter, this.stopping]);
      if (this.stopped) return;
      this.groupsJoined = true;
      if (!this.owed) return;
      await this.redeliverOwed(this.owed);
    })().catch((err: unknown) => {
      this.prepared = undefined; // the next pass tries again
      throw err;
    });
    return this.prepared;
  }

  private async redeliverOwed(owed: OwedDelivery): Promise<void> {
    let after = '0';
    for (;;) {
      const page = await owedEvents(this.db, after, this.batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.row;
      const deliveries: Array<{ event: BusEvent; consumers: string[] }> = [];
      const gone: Array<{ eventId: string; consumer: string }> = [];
      for (const { event, consumers } of page) {
        const joined = new Set(owed.groupsFor(event.topic));
        const owing = consumers.filter((c) => joined.has(c));
        gone.push(...consumers.filter((c) => !joined.has(c)).map((consumer) => ({ eventId: event.id, consumer })));
        if (owing.length) deliveries.push({ event, consumers: owing });
      }
      if (gone.length) {
        // every group of this process joined before the first pass: these no longer exist (renamed, removed)
        this.logger.warn(
          { relay: this.name, dropped: gone },
          'outbox deliveries owed to consumer groups that no longer exist; dropped',
        );
        await settleDeliveries(this.db, gone);
      }
      owed.deliver(deliveries, { live: false, settled: this.settled });
      if (page.length < this.batchSize) return;
    }
  }

  /** A group has handled an event: queue the row's deletion (batched: a burst of handlers costs one statement). */
  private readonly settled: Settled = (consumer, eventId) => {
    if (this.settlingClosed) return;
    this.settledQueue.push({ eventId, consumer });
    this.settling ??= this.settleQueued();
  };

  private async settleQueued(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.settledQueue.length > 0) {
      const batch = this.settledQueue.splice(0, SETTLE_BATCH);
      await settleDeliveries(this.db, batch).catch((err: unknown) =>
        this.logger.warn(
          { ...errorInfo(err), relay: this.name },
          'could not record settled deliveries; they are delivered again after a restart',
        ),
      );
    }
    this.settling = undefined;
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
