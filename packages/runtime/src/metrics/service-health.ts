import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolUse } from '../db/database';

/** Bus consumers of a service: how long after its recording each event is handled, and how handling ends. */
export class BusConsumerMetrics {
  private readonly lag: Histogram<'consumer'>;
  private readonly handled: Counter<'consumer' | 'outcome'>;

  constructor(registry: Registry) {
    this.lag = new Histogram({
      name: 'eventgraph_bus_lag_seconds',
      help: "time from an event's recording in the outbox to a consumer's handling of it, by consumer (group, or live:<pattern>)",
      labelNames: ['consumer'],
      // lag spans the relay's poll and redelivery back-off, so the buckets reach further than request latency
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.handled = new Counter({
      name: 'eventgraph_bus_events_handled_total',
      help: 'events handled by a consumer, by outcome (ok, failed)',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    });
  }

  /** Times one handling; the lag is observed as it starts, the outcome when it ends. */
  async observe<T>(consumer: string, occurredAt: string, handle: () => Promise<T>): Promise<T> {
    const recorded = Date.parse(occurredAt);
    if (Number.isFinite(recorded)) this.lag.observe({ consumer }, Math.max(0, Date.now() - recorded) / 1000);
    try {
      const result = await handle();
      this.handled.inc({ consumer, outcome: 'ok' });
      return result;
    } catch (err) {
      this.handled.inc({ consumer, outcome: 'failed' });
      throw err;
    }
  }
}

/**
 * A service's database, read at scrape time: the pool's connections (server mode; PGlite is one in-process
 * connection and reports none) and the outbox rows still waiting for the relay.
 */
export function observeDatabase(registry: Registry, database: { poolUse?(): PoolUse; outboxBacklog(): Promise<number> }): void {
  const { poolUse } = database;
  if (poolUse) {
    const gauge = (name: string, help: string, read: (use: PoolUse) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read(poolUse()));
        },
      });
    gauge('eventgraph_db_pool_connections', 'connections open in the database pool', (u) => u.total);
    gauge('eventgraph_db_pool_idle_connections', 'open connections no statement is using', (u) => u.idle);
    gauge('eventgraph_db_pool_waiting_requests', 'callers waiting for a connection', (u) => u.waiting);
  }
  new Gauge({
    name: 'eventgraph_outbox_backlog_events',
    help: 'events recorded in the outbox and not yet published to the bus',
    registers: [registry],
    async collect() {
      const backlog = await settledWithin(database.outboxBacklog(), BACKLOG_WAIT_MS);
      if (backlog !== undefined) this.set(backlog);
    },
  });
}

/**
 * How long a scrape waits for the backlog count: on PGlite's one connection it queues behind whatever
 * transaction is running (a bulk import), and a scrape must not time out for it; the last count stays.
 */
const BACKLOG_WAIT_MS = 1000;

/** The promise's value if it settles in time and succeeds; otherwise undefined. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
