import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import {
  connectNatsTransport,
  countUnpublished,
  createBus,
  dedupeById,
  OUTBOX_DDL,
  OutboxRelay,
  recordEvent,
  type BusEvent,
  type BusTransport,
  type NatsTransport,
  type NatsTransportOptions,
} from '../../src/bus';
import { describeIfReachable, NATS_URL, recordingLogger, silentLogger, sleep, waitFor } from './helpers';
import { openTestPGlite } from './pglite-host';

const event = (topic: string, payload: Record<string, unknown> = {}): BusEvent => ({
  id: randomUUID(),
  topic,
  source: 'test',
  occurredAt: new Date().toISOString(),
  payload,
});

describeIfReachable('NATS', NATS_URL)('NATS JetStream transport', () => {
  // an isolated stream per run, deleted afterwards
  const suffix = randomUUID().slice(0, 8);
  const stream = `EVENTGRAPH_TEST_${suffix}`;
  const subjectPrefix = `egtest${suffix}`;
  const options: NatsTransportOptions = { url: NATS_URL, stream, subjectPrefix, storage: 'memory', logger: silentLogger };
  const open: BusTransport[] = [];
  let admin: NatsConnection;

  const transport = async (extra: Partial<NatsTransportOptions> = {}) => {
    const t = await connectNatsTransport({ ...options, ...extra });
    open.push(t);
    return t;
  };

  beforeAll(async () => {
    admin = await connect({ servers: NATS_URL });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    const jsm = await admin.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
    await admin.close();
  });

  it('a subscriber on one connection receives what another connection publishes, in order', async () => {
    const publisher = await transport();
    const subscriber = await transport();
    const seen: BusEvent[] = [];
    const off = subscriber.subscribe('checkin.recorded', (e) => void seen.push(e));
    await off.ready;

    const sent = [1, 2, 3, 4, 5].map((n) => event('checkin.recorded', { n }));
    await publisher.publish(sent.slice(0, 2));
    await publisher.publish(sent.slice(2));
    await waitFor(() => seen.length === 5);
    expect(seen).toEqual(sent);
    expect(publisher.connection).not.toBe((subscriber as NatsTransport).connection);
  });

  it('routes by exact topic, * and >', async () => {
    const t = await transport();
    const got: Record<string, string[]> = { exact: [], star: [], rest: [] };
    const subs = [
      t.subscribe('order.placed', (e) => void got.exact!.push(e.topic)),
      t.subscribe('order.*', (e) => void got.star!.push(e.topic)),
      t.subscribe('order.>', (e) => void got.rest!.push(e.topic)),
    ];
    await Promise.all(subs.map((s) => s.ready));
    await t.publish([event('order.placed'), event('order.placed.late'), event('order.cancelled'), event('ticket.issued')]);
    await waitFor(() => got.rest!.length === 3);
    await sleep(100);
    expect(got).toEqual({
      exact: ['order.placed'],
      star: ['order.placed', 'order.cancelled'],
      rest: ['order.placed', 'order.placed.late', 'order.cancelled'],
    });
  });

  it('stores an event republished with the same id once (JetStream de-duplication by msgID)', async () => {
    const t = await transport();
    const seen: string[] = [];
    const off = t.subscribe('dup.test', (e) => void seen.push(e.id));
    await off.ready;
    const e = event('dup.test');
    await t.publish([e]);
    await t.publish([e]); // the relay retrying a row whose mark failed
    await t.publish([event('dup.test')]);
    await waitFor(() => seen.length >= 2);
    await sleep(150);
    expect(seen[0]).toBe(e.id);
    expect(seen).toHaveLength(2);
  });

  it('durable consume redelivers after a handler failure, then acks', async () => {
    const t = await transport();
    const attempts: Array<[number, number]> = [];
    const done: number[] = [];
    const off = t.consume(
      'webhooks-retry',
      'order.*',
      (e, d) => {
        attempts.push([e.payload.n as number, d.attempt]);
        if (e.payload.n === 1 && d.attempt === 1) throw new Error('receiver returned 503');
        done.push(e.payload.n as number);
      },
      { retryDelaysMs: [100] },
    );
    await off.ready;
    await t.publish([event('order.placed', { n: 1 }), event('order.placed', { n: 2 })]);
    await waitFor(() => done.length === 2, 5_000);
    await sleep(300); // acked: nothing comes back
    expect(done.sort()).toEqual([1, 2]);
    expect(attempts.filter(([n]) => n === 1)).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(attempts.filter(([n]) => n === 2)).toEqual([[2, 1]]);
  });

  it('stopping a consumer waits for the handler in flight, and nothing it had prefetched is lost', async () => {
    // a short ack wait, so a prefetched event the stopped member never saw comes back within the test
    const t = await transport({ ackWaitMs: 1_000 });
    const started: number[] = [];
    const finished: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stop = t.consume('webhooks-stop', 'stop.*', async (e) => {
      started.push(e.payload.n as number);
      await gate;
      finished.push(e.payload.n as number);
    });
    await stop.ready;
    await t.publish(Array.from({ length: 5 }, (_, n) => event('stop.it', { n })));
    await waitFor(() => started.length === 1);
    let stopped = false;
    const stopping = Promise.resolve(stop()).then(() => (stopped = true));
    await sleep(100);
    expect(stopped).toBe(false); // the first event's handler is still running
    release();
    await stopping;
    expect(finished).toEqual([0]);
    expect(started).toEqual([0]); // nothing more was handed to this member after the stop

    // the others went back to the group (at least once): its next member gets them
    const rest = new Set<number>();
    const next = t.consume('webhooks-stop', 'stop.*', (e) => void rest.add(e.payload.n as number));
    await next.ready;
    await waitFor(() => rest.size === 4, 8_000);
    expect([...rest].sort()).toEqual([1, 2, 3, 4]);
  });

  it('durable consume survives its consumers: a group picks up what was published while it was away', async () => {
    const t1 = await transport();
    const seen: number[] = [];
    const first = t1.consume('webhooks-durable', 'invoice.>', (e) => void seen.push(e.payload.n as number));
    await first.ready;
    await t1.publish([event('invoice.paid', { n: 1 })]);
    await waitFor(() => seen.length === 1);
    await t1.close(); // the process goes away

    const t2 = await transport();
    await t2.publish([event('invoice.paid', { n: 2 }), event('invoice.paid.partially', { n: 3 })]);
    const again = t2.consume('webhooks-durable', 'invoice.>', (e) => void seen.push(e.payload.n as number));
    await again.ready;
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
    // a group's pattern is fixed once created
    await expect(t2.consume('webhooks-durable', 'other.*', () => undefined).ready).rejects.toThrow(/already consumes/);
  });

  it('members of a group in two processes share the events', async () => {
    const [p1, p2] = [await transport(), await transport()];
    const handled: Record<string, number[]> = { p1: [], p2: [] };
    const subs = [
      p1.consume('webhooks-shared', 'share.*', (e) => void handled.p1!.push(e.payload.n as number)),
      p2.consume('webhooks-shared', 'share.*', (e) => void handled.p2!.push(e.payload.n as number)),
    ];
    await Promise.all(subs.map((s) => s.ready));
    await p1.publish(Array.from({ length: 40 }, (_, n) => event('share.it', { n })));
    await waitFor(() => handled.p1!.length + handled.p2!.length === 40, 5_000);
    await sleep(200);
    const all = [...handled.p1!, ...handled.p2!].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 40 }, (_, n) => n)); // each exactly once
  });

  it('durable consume gives up after maxDeliver', async () => {
    const logger = recordingLogger();
    const t = await transport({ logger });
    let calls = 0;
    const off = t.consume(
      'webhooks-poison',
      'poison.*',
      () => {
        calls++;
        throw new Error('always fails');
      },
      { maxDeliver: 2, retryDelaysMs: [50] },
    );
    await off.ready;
    await t.publish([event('poison.pill')]);
    await waitFor(() => logger.lines.includes('error bus consumer gave up on an event'), 5_000);
    await sleep(300);
    expect(calls).toBe(2);
  });

  it('end to end: outbox → relay → NATS, a lost publish ack is retried, JetStream and dedupe keep it single', async () => {
    const pg = await openTestPGlite();
    try {
      await pg.exec(OUTBOX_DDL);
      const bus = await createBus({ kind: 'nats', url: NATS_URL, stream, subjectPrefix }, { logger: silentLogger });
      open.push(bus);
      const consumerSide = await transport();
      const received: string[] = [];
      const effects: string[] = [];
      const off = consumerSide.subscribe(
        'checkin.>',
        dedupeById((e) => void effects.push(e.id)),
      );
      const raw = consumerSide.subscribe('checkin.>', (e) => void received.push(e.id));
      await Promise.all([off.ready, raw.ready]);

      let loseAck = true;
      const relay = new OutboxRelay({
        db: pg.db,
        logger: silentLogger,
        retryDelayMs: 20,
        transport: {
          publish: async (events) => {
            await bus.publish(events);
            if (loseAck) {
              loseAck = false;
              throw new Error('ack lost');
            }
          },
          subscribe: bus.subscribe.bind(bus),
          close: async () => undefined,
        },
      }).start();

      const recorded = await pg.db.$transaction(async (tx) => [
        await recordEvent(tx, 'checkins', 'checkin.recorded', { n: 1 }),
        await recordEvent(tx, 'checkins', 'checkin.recorded', { n: 2 }),
      ]);
      relay.poke();
      await waitFor(async () => (await countUnpublished(pg.db)) === 0, 5_000);
      await waitFor(() => received.length === 2, 5_000);
      await sleep(150);
      await relay.stop();
      expect(received).toEqual(recorded.map((e) => e.id)); // the republish was dropped by JetStream (same msgID)
      expect(effects).toEqual(recorded.map((e) => e.id));
    } finally {
      await pg.close();
    }
  });
});
