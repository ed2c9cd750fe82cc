import type { BusEvent, DurableEventHandler, EventHandler } from './event';

/**
 * Stops a subscription or consumer. `ready` resolves once the transport is
 * actually receiving (immediately in memory; after the server-side consumer
 * exists with NATS), so callers that must not miss the next event can wait.
 * Calling it may return a promise that settles once a handler in flight has
 * finished (NATS consumers), so a subgraph can stop before closing its database.
 */
export type Unsubscribe = (() => void | Promise<void>) & { readonly ready: Promise<void> };

export interface ConsumeOptions {
  /** give up on an event after this many failed deliveries (default: never give up) */
  maxDeliver?: number;
  /** delay before redelivery after the n-th failure; the last value repeats (default 1s, 5s, 30s, 60s) */
  retryDelaysMs?: number[];
  /** a new group starts with events published from now on ('new', default) or every event the transport still retains ('all') */
  startAt?: 'new' | 'all';
  /** with NATS: the server forgets a group that no member has consumed from for this long (default 24 h) */
  inactiveAfterMs?: number;
}

/**
 * Moves events between subgraphs. Delivery is at-least-once: a consumer may
 * see an event more than once (relay retries, redeliveries), so consumers
 * are idempotent by event id (see dedupe.ts).
 */
export interface BusTransport {
  /** Resolves once every event is accepted by the transport; rejects if any was not (the caller retries all). */
  publish(events: BusEvent[]): Promise<void>;
  /**
   * Live fan-out: every subscriber in every process gets each new event
   * matching the pattern. Nothing is kept for a subscriber that is not
   * running, and a failing handler is logged, not retried: this is for
   * pushing to GraphQL subscriptions and caches, not for work that must happen.
   */
  subscribe(topicPattern: string, handler: EventHandler): Unsubscribe;
  /**
   * Durable, shared consumption: each event goes to one member of the group,
   * a handler that throws gets the event again later, and what the group has
   * not handled when the process dies reaches it after the restart
   * (at-least-once): with NATS the server keeps the group, in memory the
   * producer's outbox does (see OwedDelivery).
   */
  consume?(group: string, topicPattern: string, handler: DurableEventHandler, options?: ConsumeOptions): Unsubscribe;
  /** Stops every subscription, waits for handlers in flight, releases connections. */
  close(): Promise<void>;
  /**
   * Present on a transport that keeps nothing across a restart (in memory): the producer's outbox then
   * keeps what durable groups still owe (rows marked published), and the relay delivers through this.
   */
  readonly owedDelivery?: OwedDelivery;
}

/** Who handled what: a group's handler has finished with an event (its effect committed, or it gave up). */
export type Settled = (consumer: string, eventId: string) => void;

/**
 * Durable delivery that survives a crash on a transport that remembers nothing. The relay marks rows
 * published, hands each to the durable groups whose pattern matches (`groupsFor`), and deletes it once the
 * transport has reported every one of them done (`settled`). A row still marked when the process dies is
 * delivered again, to every group consuming it then, when the relay starts next: a group that had handled
 * it gets it twice, which consumers take in their stride (delivery is at least once). So the groups must
 * all have joined before the relay's first pass judges a row (the relay's `startAfter`), or a restart
 * would deliver a row to nobody.
 */
export interface OwedDelivery {
  /** the durable groups consuming this topic */
  groupsFor(topic: string): string[];
  /**
   * Hands each event to the named groups, and to live subscribers if `live` (not for a redelivery after a
   * restart: live subscribers only want what is new). Never runs a handler inside the call.
   */
  deliver(deliveries: Array<{ event: BusEvent; consumers: string[] }>, options: { live: boolean; settled: Settled }): void;
}

/** The part of a pino logger the bus uses; anything with these two methods will do. */
export interface BusLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const consoleLogger: BusLogger = {
  warn: (obj, msg) => console.warn(`[bus] ${msg ?? ''}`, obj),
  error: (obj, msg) => console.error(`[bus] ${msg ?? ''}`, obj),
};

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 60_000];

/** Delay before the next delivery after `failures` failed ones. */
export function retryDelay(delays: number[] | undefined, failures: number): number {
  const list = delays && delays.length > 0 ? delays : DEFAULT_RETRY_DELAYS_MS;
  return list[Math.min(Math.max(failures, 1), list.length) - 1]!;
}

/** Durable group names become NATS consumer names, so keep them to a safe alphabet. */
export function assertGroupName(group: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(group)) {
    throw new TypeError(`invalid consumer group ${JSON.stringify(group)}: use letters, digits, '_' and '-'`);
  }
}

export const errorInfo = (err: unknown) => ({
  err: err instanceof Error ? { message: err.message, name: err.name, stack: err.stack } : err,
});
