import { performance } from 'node:perf_hooks';
import type { BusEvent } from './event';
import { claimUnpublished, deletePublished, markPublished, publishedEvents, releaseClaims, type SqlExecutor } from './outbox';
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
  /**
   * nothing is published before this settles: the launcher resolves it once every durable consumer group
   * of the process has joined, so no row is judged before the groups that owe it are known
   */
  startAfter?: Promise<unknown>;
  logger?: BusLogger;
}

/** handled rows deleted per statement */
const SETTLE_BATCH = 1000;
/**
 * How long handled rows wait to be deleted together: one statement per burst instead of one per event. A crash
 * in the wait only delivers them again (at least once).
 */
const SETTLE_DELAY_MS = 50;
/**
 * Passes start at least this far apart: under load the commits of a few milliseconds share one pass (one
 * statement to mark or claim them) instead of one pass each; a lone event after a quiet spell goes at once.
 */
const MIN_PASS_GAP_MS = 10;

/**
 * Publishes a subgraph's committed outbox rows to the transport, in id order,
 * then deletes them: a row is written once, claimed once (its one update) and
 * deleted, never marked published and pruned later. Delivery is at-least-once:
 * a crash or failure between publish and delete publishes the rows again
 * (JetStream drops the copy inside its duplicate window because the message id
 * is the event id; consumers dedupe the rest).
 *
 * On a transport that keeps nothing across a restart (in memory, see
 * OwedDelivery) the relay keeps what durable groups owe instead: it is the
 * table's only publisher, so it claims nothing; it marks rows published and
 * hands them over, and deletes a row once the transport says every group that
 * consumes it has handled it (a row nobody consumes at once). When it starts,
 * it delivers every row still marked again, to the groups consuming it.
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
  private readonly startAfter: Promise<unknown>;
  private readonly owed: OwedDelivery | undefined;
  /** resolves when stop() is called, so a pass waiting for startAfter gives up */
  private readonly stopping: Promise<void>;
  private signalStop!: () => void;
  /** the first pass's preparation (waiting for the groups, redelivering what is owed), once */
  private prepared: Promise<void> | undefined;
  private groupsJoined = false;
  /** the groups each handed-over event still waits for (memory bus) */
  private readonly owing = new Map<string, Set<string>>();
  /** events every group has handled, to delete */
  private readonly settledQueue: string[] = [];
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
  private lastPassAt = -Infinity;
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
    else this.schedule(this.untilNextPass());
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
   * Stops the loop after the batch in flight has been published and marked, and deletes what every group
   * has handled so far; what is handled later stays marked (delivered again after the next start).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    clearTimeout(this.timer);
    await this.chain;
    while (this.settling) await this.settling;
    this.settlingClosed = true;
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
    this.pokedDuringPass = false;
    let next = this.pollIntervalMs;
    try {
      await this.exclusive(async () => {
        await this.prepare();
        if (this.stopped) return;
        this.lastPassAt = performance.now();
        await this.publishUntilEmpty(true);
      });
      this.failures = 0;
      // what was committed during the pass goes with the next one
      if (this.pokedDuringPass) next = this.untilNextPass();
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
    this.schedule(next);
  }

  private untilNextPass(): number {
    return Math.max(0, Math.ceil(this.lastPassAt + MIN_PASS_GAP_MS - performance.now()));
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
    if (this.owed) return this.deliverMarked(this.owed, await markPublished(this.db, this.batchSize), true);
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

  /**
   * Hands marked events to the groups consuming them (and to live subscribers if `live`) and remembers
   * which groups each waits for; one no group consumes is deleted. A crash before they are deleted leaves
   * them marked: delivered again at the next start.
   */
  private deliverMarked(owed: OwedDelivery, events: BusEvent[], live: boolean): number {
    const deliveries = events.map((event) => ({ event, consumers: owed.groupsFor(event.topic) }));
    for (const { event, consumers } of deliveries) {
      if (consumers.length > 0) this.owing.set(event.id, new Set(consumers));
      else this.queueDeletion(event.id);
    }
    owed.deliver(deliveries, { live, settled: this.settled });
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
      const page = await publishedEvents(this.db, after, this.batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.row;
      this.deliverMarked(
        owed,
        page.map((p) => p.event),
        false,
      );
      if (page.length < this.batchSize) return;
    }
  }

  /** A group has handled an event: once every group has, queue the row's deletion. */
  private readonly settled: Settled = (consumer, eventId) => {
    const waiting = this.owing.get(eventId);
    if (!waiting?.delete(consumer) || waiting.size > 0) return;
    this.owing.delete(eventId);
    this.queueDeletion(eventId);
  };

  private queueDeletion(eventId: string): void {
    if (this.settlingClosed) return;
    this.settledQueue.push(eventId);
    this.settling ??= this.deleteSettled(SETTLE_DELAY_MS);
  }

  /**
   * Deletes the handled rows queued after a wait, so a burst shares a statement; what is queued meanwhile
   * waits for the next round. A failed batch is tried again a poll interval later (not once stopped).
   */
  private async deleteSettled(delayMs: number): Promise<void> {
    await new Promise<void>((resolve) => setTimeout(resolve, this.stopped ? 0 : delayMs).unref?.());
    const batch = this.settledQueue.splice(0, SETTLE_BATCH);
    let failed = false;
    try {
      await deletePublished(this.db, batch);
    } catch (err) {
      this.logger.warn(
        { ...errorInfo(err), relay: this.name },
        'could not delete handled outbox rows; retried, or delivered again after a restart',
      );
      failed = !this.stopped;
      if (failed) this.settledQueue.unshift(...batch);
    }
    this.settling = this.settledQueue.length > 0 ? this.deleteSettled(failed ? this.pollIntervalMs : SETTLE_DELAY_MS) : undefined;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
