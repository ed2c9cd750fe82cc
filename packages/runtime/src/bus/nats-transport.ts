import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import {
  assertTopic,
  assertTopicPattern,
  parseBusEvent,
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
  type Unsubscribe,
} from './transport';

export interface NatsTransportOptions {
  /** server URL(s); ignored when `connection` is given */
  url?: string | string[];
  /** an existing connection to use; the transport then leaves closing it to its owner */
  connection?: NatsConnection;
  /** JetStream stream holding the events (default EVENTGRAPH) */
  stream?: string;
  /** subject prefix: topic `a.b` travels as `<prefix>.a.b` (default eventgraph) */
  subjectPrefix?: string;
  /** how long the stream keeps events (default 7 days) */
  maxAgeMs?: number;
  /** JetStream drops a republished event with the same id within this window (default 10 min) */
  duplicateWindowMs?: number;
  storage?: 'file' | 'memory';
  /** per-event publish acknowledgement timeout (default 5s); keep it well under the relay's lease */
  publishTimeoutMs?: number;
  /** durable consumers: a handler that runs longer is kept alive with progress acks; a crashed one is redelivered after this (default 30s) */
  ackWaitMs?: number;
  /** durable consumers: messages pulled ahead of the handler (default 10) */
  prefetch?: number;
  /** connection name shown by the server */
  name?: string;
  logger?: BusLogger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Creates the transport and makes sure its stream exists. Safe to call from
 * many processes at once: creating a stream with an identical config is a no-op.
 */
export async function connectNatsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const owned = !options.connection;
  const nc =
    options.connection ??
    (await connect({
      servers: options.url ?? 'nats://127.0.0.1:4222',
      name: options.name ?? 'eventgraph-bus',
      maxReconnectAttempts: -1,
    }));
  try {
    const transport = new NatsTransport(nc, owned, options, await nc.jetstreamManager());
    await transport.ensureStream();
    return transport;
  } catch (err) {
    if (owned) await nc.close();
    throw err;
  }
}

/**
 * Events across processes through NATS JetStream.
 *
 * publish: one stream message per event, subject `<prefix>.<topic>`, with
 * the event id as JetStream message id so a relay publishing the same
 * outbox row twice stores it once (within the duplicate window).
 *
 * subscribe: an ephemeral *ordered* JetStream consumer starting at new
 * messages, rather than a core NATS subscription on the same subjects. A core
 * subscriber would also see the duplicate publishes JetStream rejected, and
 * would silently lose whatever was published while its connection was
 * reconnecting; the ordered consumer reads the stored, de-duplicated
 * sequence and resumes after the last message it saw. The cost is one
 * server-side consumer per subscription (removed when idle) and a
 * millisecond or so of extra latency.
 *
 * consume: a durable pull consumer named after the group with explicit acks:
 * members in any process share it, a failed handler is nak'd with a delay
 * and redelivered, and a member that dies mid-handler has its message
 * redelivered after ackWaitMs.
 */
export class NatsTransport implements BusTransport {
  readonly stream: string;
  readonly subjectPrefix: string;
  private readonly js: JetStreamClient;
  private readonly logger: BusLogger;
  private readonly loops = new Set<{ stop(): void; done: Promise<void> }>();
  private closed = false;

  constructor(
    readonly connection: NatsConnection,
    private readonly ownsConnection: boolean,
    private readonly options: NatsTransportOptions,
    private readonly jsm: JetStreamManager,
  ) {
    this.stream = options.stream ?? 'EVENTGRAPH';
    this.subjectPrefix = options.subjectPrefix ?? 'eventgraph';
    assertTopic(this.subjectPrefix);
    this.js = connection.jetstream();
    this.logger = options.logger ?? consoleLogger;
  }

  async ensureStream(): Promise<void> {
    const subjects = [`${this.subjectPrefix}.>`];
    try {
      await this.jsm.streams.add({
        name: this.stream,
        subjects,
        retention: RetentionPolicy.Limits,
        storage: this.options.storage === 'memory' ? StorageType.Memory : StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(this.options.maxAgeMs ?? 7 * 24 * 3600_000),
        duplicate_window: nanos(this.options.duplicateWindowMs ?? 10 * 60_000),
      });
    } catch (err) {
      // it exists with another config (limits changed by an operator, say): fine as long as it carries our subjects
      const info = await this.jsm.streams.info(this.stream).catch(() => {
        throw new Error(`cannot create NATS stream ${this.stream}`, { cause: err });
      });
      if (!info.config.subjects?.includes(subjects[0]!)) {
        throw new Error(`NATS stream ${this.stream} exists but does not capture ${subjects[0]}`, { cause: err });
      }
    }
  }

  subject(topicOrPattern: string): string {
    return `${this.subjectPrefix}.${topicOrPattern}`;
  }

  async publish(events: BusEvent[]): Promise<void> {
    if (this.closed) throw new Error('bus transport is closed');
    events.forEach((e) => assertTopic(e.topic));
    // issued back to back on one connection, so the stream stores them in this order; all acks are awaited
    await Promise.all(
      events.map((event) =>
        this.js.publish(this.subject(event.topic), encoder.encode(JSON.stringify(event)), {
          msgID: event.id,
          expect: { streamName: this.stream },
          timeout: this.options.publishTimeoutMs ?? 5_000,
        }),
      ),
    );
  }

  subscribe(topicPattern: string, handler: EventHandler): Unsubscribe {
    assertTopicPattern(topicPattern);
    return this.run(async () => {
      const consumer = await this.js.consumers.get(this.stream, {
        // a single string keeps this working on servers before 2.10 (no filter_subjects)
        filterSubjects: this.subject(topicPattern),
        deliver_policy: DeliverPolicy.New,
      });
      return [
        await consumer.consume(),
        async (msg) => {
          const event = this.decode(msg);
          if (!event) return;
          try {
            await handler(event);
          } catch (err) {
            this.logger.warn(
              { ...errorInfo(err), pattern: topicPattern, eventId: event.id },
              'bus subscriber failed; live subscriptions are not retried',
            );
          }
        },
      ];
    });
  }

  consume(group: string, topicPattern: string, handler: DurableEventHandler, options: ConsumeOptions = {}): Unsubscribe {
    assertGroupName(group);
    assertTopicPattern(topicPattern);
    const ackWaitMs = this.options.ackWaitMs ?? 30_000;
    return this.run(async () => {
      await this.ensureDurable(group, topicPattern, options, ackWaitMs);
      const consumer = await this.js.consumers.get(this.stream, group);
      return [
        await consumer.consume({ max_messages: this.options.prefetch ?? 10 }),
        async (msg) => {
          const event = this.decode(msg);
          if (!event) return msg.term('not a BusEvent');
          const attempt = msg.info.deliveryCount;
          // progress acks, so a slow handler is not taken for a dead one
          const keepAlive = setInterval(() => msg.working(), Math.max(1_000, ackWaitMs / 2));
          try {
            await handler(event, { attempt });
            msg.ack();
          } catch (err) {
            if (options.maxDeliver !== undefined && options.maxDeliver > 0 && attempt >= options.maxDeliver) {
              this.logger.error({ ...errorInfo(err), group, eventId: event.id, attempt }, 'bus consumer gave up on an event');
              msg.term('handler failed maxDeliver times');
            } else {
              const delay = retryDelay(options.retryDelaysMs, attempt);
              this.logger.warn(
                { ...errorInfo(err), group, eventId: event.id, attempt, retryInMs: delay },
                'bus consumer failed; will redeliver',
              );
              msg.nak(delay);
            }
          } finally {
            clearInterval(keepAlive);
          }
        },
        // back to the group at once, for another member or the next start
        (msg) => msg.nak(),
      ];
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const loops = [...this.loops];
    loops.forEach((l) => l.stop());
    await Promise.allSettled(loops.map((l) => l.done));
    if (this.ownsConnection && !this.connection.isClosed()) await this.connection.drain();
  }

  /** Creates the group's durable consumer, or joins it if another member already did. */
  private async ensureDurable(group: string, topicPattern: string, options: ConsumeOptions, ackWaitMs: number): Promise<void> {
    const config: Partial<ConsumerConfig> = {
      durable_name: group,
      ack_policy: AckPolicy.Explicit,
      filter_subject: this.subject(topicPattern),
      deliver_policy: options.startAt === 'all' ? DeliverPolicy.All : DeliverPolicy.New,
      ack_wait: nanos(ackWaitMs),
      max_deliver: options.maxDeliver ?? -1,
      // a group nobody has pulled from for this long is abandoned (a replaced deployment, a test run): let the server drop it
      inactive_threshold: nanos(options.inactiveAfterMs ?? 24 * 3600_000),
    };
    // look first: some servers quietly *update* an existing durable whose filter differs, which would hijack the group
    const existing = await this.jsm.consumers.info(this.stream, group).catch(() => undefined);
    if (existing) {
      if (existing.config.filter_subject !== config.filter_subject) {
        throw new Error(
          `consumer group ${group} already consumes ${existing.config.filter_subject}, not ${config.filter_subject}`,
        );
      }
      return;
    }
    // two members racing to create it send the same config, which the server accepts twice
    await this.jsm.consumers.add(this.stream, config);
  }

  /**
   * Runs a message loop: `setup` creates the consumer and returns its
   * message iterator, the per-message handler and what to do with a message
   * that arrives after stopping. Messages are handled one at a time, in order.
   */
  private run(
    setup: () => Promise<[ConsumerMessages, (msg: JsMsg) => Promise<void>, release?: (msg: JsMsg) => void]>,
  ): Unsubscribe {
    if (this.closed) throw new Error('bus transport is closed');
    let messages: ConsumerMessages | undefined;
    let stopped = false;
    let markReady!: () => void;
    let failReady!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => undefined); // callers that never look at `ready` should not see an unhandled rejection

    const loop = {
      stop: () => {
        stopped = true;
        messages?.stop();
      },
      done: Promise.resolve(),
    };
    this.loops.add(loop);
    loop.done = (async () => {
      try {
        const [iterator, onMessage, release] = await setup();
        messages = iterator;
        if (stopped) iterator.stop();
        markReady();
        for await (const msg of iterator) {
          // stopping: what was prefetched is not handed to a handler whose database may be closing
          if (stopped) release?.(msg);
          else await onMessage(msg);
        }
      } catch (err) {
        failReady(err);
        if (!stopped) this.logger.error(errorInfo(err), 'bus consumer stopped');
      } finally {
        this.loops.delete(loop);
      }
    })();
    // the returned promise settles once the handler in flight (if any) has finished
    return Object.assign(
      () => {
        loop.stop();
        return loop.done;
      },
      { ready },
    );
  }

  private decode(msg: JsMsg): BusEvent | undefined {
    try {
      return parseBusEvent(decoder.decode(msg.data));
    } catch (err) {
      this.logger.error({ ...errorInfo(err), subject: msg.subject, seq: msg.seq }, 'dropping a message that is not a BusEvent');
      return undefined;
    }
  }
}
