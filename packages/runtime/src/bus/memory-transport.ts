import {
  assertTopic,
  assertTopicPattern,
  topicMatches,
  type BusEvent,
  type DurableEventHandler,
  type EventHandler,
} from './event';
import {
  assertGroupName,
  consoleLogger,
  errorInfo,
  retryDelay,
  type BusLogger,
  type BusTransport,
  type ConsumeOptions,
  type OwedDelivery,
  type Settled,
  type Unsubscribe,
} from './transport';

export interface MemoryTransportOptions {
  logger?: BusLogger;
  /** events kept for a durable group while it has no member (oldest dropped beyond this) */
  maxBacklog?: number;
}

interface Subscriber {
  pattern: string;
  handler: EventHandler;
  /** deliveries to one subscriber run one after another, in publish order */
  queue: Promise<void>;
}

interface Member {
  handler: DurableEventHandler;
  queue: Promise<void>;
  active: boolean;
}

interface Delivery {
  json: string;
  attempt: number;
  /** tells the producer's outbox that this group is done with the event */
  settled?: () => void;
}

interface Group {
  pattern: string;
  options: ConsumeOptions;
  members: Member[];
  next: number;
  backlog: Delivery[];
}

/**
 * In-process transport for the embedded default, where every subgraph runs
 * in one process and shares one instance. Handlers run asynchronously, never
 * inside publish(): the relay must not wait on consumers (a consumer writing
 * to the same single-connection PGlite would otherwise deadlock with it).
 * Events are passed as JSON text and parsed per delivery, like over the
 * network, so a handler cannot mutate what another handler sees.
 *
 * Durable groups are retried until handled while the process lives; across a
 * crash, the producers' outboxes keep what each group still owes: the relays
 * deliver through `owedDelivery`, and this transport reports each group's
 * success back to them (see OwedDelivery). Events given to `publish` directly
 * have no such record.
 */
export class MemoryTransport implements BusTransport {
  private readonly subscribers = new Set<Subscriber>();
  private readonly groups = new Map<string, Group>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly logger: BusLogger;
  private readonly maxBacklog: number;
  private fanOut: Promise<void> = Promise.resolve();
  private closing = false;
  private closed = false;

  constructor(options: MemoryTransportOptions = {}) {
    this.logger = options.logger ?? consoleLogger;
    this.maxBacklog = options.maxBacklog ?? 100_000;
  }

  readonly owedDelivery: OwedDelivery = {
    groupsFor: (topic) => [...this.groups].filter(([, group]) => topicMatches(group.pattern, topic)).map(([name]) => name),
    deliver: (deliveries, { live, settled }) => this.deliverOwed(deliveries, live, settled),
  };

  async publish(events: BusEvent[]): Promise<void> {
    if (this.closed || this.closing) throw new Error('bus transport is closed');
    events.forEach((e) => assertTopic(e.topic));
    const batch = events.map((event) => ({ topic: event.topic, json: JSON.stringify(event) }));
    this.later(() => {
      for (const { topic, json } of batch) {
        this.deliverToLive(topic, json);
        for (const group of this.groups.values()) {
          if (topicMatches(group.pattern, topic)) this.dispatch(group, { json, attempt: 1 });
        }
      }
    });
  }

  private deliverOwed(deliveries: Array<{ event: BusEvent; consumers: string[] }>, live: boolean, settled: Settled): void {
    if (this.closed || this.closing) throw new Error('bus transport is closed');
    deliveries.forEach((d) => assertTopic(d.event.topic));
    const batch = deliveries.map(({ event, consumers }) => ({ event, consumers, json: JSON.stringify(event) }));
    this.later(() => {
      for (const { event, consumers, json } of batch) {
        if (live) this.deliverToLive(event.topic, json);
        for (const name of consumers) {
          const group = this.groups.get(name);
          // a group unknown here stays owed in the outbox, for a process where it runs
          if (group) this.dispatch(group, { json, attempt: 1, settled: () => settled(name, event.id) });
        }
      }
    });
  }

  /** Fans out on a later turn of the event loop: the caller is done (the relay has marked its rows) before any handler runs. */
  private later(fanOut: () => void): void {
    this.fanOut = this.fanOut
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(() => {
        if (!this.closed) fanOut();
      });
  }

  private deliverToLive(topic: string, json: string): void {
    for (const sub of this.subscribers) {
      if (topicMatches(sub.pattern, topic)) this.deliverLive(sub, json);
    }
  }

  subscribe(topicPattern: string, handler: EventHandler): Unsubscribe {
    assertTopicPattern(topicPattern);
    if (this.closed) throw new Error('bus transport is closed');
    const sub: Subscriber = { pattern: topicPattern, handler, queue: Promise.resolve() };
    this.subscribers.add(sub);
    return Object.assign(() => void this.subscribers.delete(sub), { ready: Promise.resolve() });
  }

  consume(group: string, topicPattern: string, handler: DurableEventHandler, options: ConsumeOptions = {}): Unsubscribe {
    assertGroupName(group);
    assertTopicPattern(topicPattern);
    if (this.closed) throw new Error('bus transport is closed');
    let state = this.groups.get(group);
    if (!state) {
      state = { pattern: topicPattern, options, members: [], next: 0, backlog: [] };
      this.groups.set(group, state);
    } else if (state.pattern !== topicPattern) {
      throw new Error(`consumer group ${group} already consumes ${state.pattern}, not ${topicPattern}`);
    }
    const member: Member = { handler, queue: Promise.resolve(), active: true };
    state.members.push(member);
    const backlog = state.backlog.splice(0);
    for (const delivery of backlog) this.dispatch(state, delivery);

    const joined = state;
    return Object.assign(
      () => {
        member.active = false;
        joined.members = joined.members.filter((m) => m !== member);
      },
      { ready: Promise.resolve() },
    );
  }

  async close(): Promise<void> {
    // events already accepted by publish() still reach their handlers
    this.closing = true;
    await this.fanOut;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const pending = [...this.subscribers].map((s) => s.queue);
    for (const group of this.groups.values()) pending.push(...group.members.map((m) => m.queue));
    this.subscribers.clear();
    this.groups.clear();
    await Promise.allSettled(pending);
  }

  private deliverLive(sub: Subscriber, json: string): void {
    sub.queue = sub.queue.then(async () => {
      if (!this.subscribers.has(sub)) return;
      try {
        await sub.handler(JSON.parse(json) as BusEvent);
      } catch (err) {
        this.logger.warn(
          { ...errorInfo(err), pattern: sub.pattern },
          'bus subscriber failed; live subscriptions are not retried',
        );
      }
    });
  }

  /** Hands a delivery to the next member (round robin), or keeps it until a member joins. */
  private dispatch(group: Group, delivery: Delivery): void {
    if (this.closed) return;
    if (group.members.length === 0) {
      group.backlog.push(delivery);
      if (group.backlog.length > this.maxBacklog) {
        group.backlog.shift();
        this.logger.error(
          { pattern: group.pattern },
          'bus consumer group backlog full; dropped its oldest event (an outbox still owing it delivers it after a restart)',
        );
      }
      return;
    }
    const member = group.members[group.next++ % group.members.length]!;
    member.queue = member.queue.then(async () => {
      // the member left while this was queued: give it to someone else
      if (!member.active) return this.dispatch(group, delivery);
      const event = JSON.parse(delivery.json) as BusEvent;
      try {
        await member.handler(event, { attempt: delivery.attempt });
        delivery.settled?.();
      } catch (err) {
        const { maxDeliver, retryDelaysMs } = group.options;
        if (maxDeliver !== undefined && maxDeliver > 0 && delivery.attempt >= maxDeliver) {
          this.logger.error(
            { ...errorInfo(err), eventId: event.id, attempt: delivery.attempt },
            'bus consumer gave up on an event',
          );
          delivery.settled?.();
          return;
        }
        const delay = retryDelay(retryDelaysMs, delivery.attempt);
        this.logger.warn(
          { ...errorInfo(err), eventId: event.id, attempt: delivery.attempt, retryInMs: delay },
          'bus consumer failed; will redeliver',
        );
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.dispatch(group, { ...delivery, attempt: delivery.attempt + 1 });
        }, delay);
        timer.unref?.();
        this.timers.add(timer);
      }
    });
  }
}
