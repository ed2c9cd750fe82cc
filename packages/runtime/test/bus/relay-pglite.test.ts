import {
  countUnpublished,
  dedupeById,
  MemoryTransport,
  OUTBOX_DDL,
  OutboxRelay,
  recordEvent,
  type BusEvent,
  type BusTransport,
  type TransactionalDb,
} from '../../src/bus';
import { RecordingTransport, silentLogger, sleep, waitFor } from './helpers';
import { openTestPGlite, type TestPGlite } from './pglite-host';
import { owedDeliveryTests } from './owed-delivery';

/** Embedded default: one PGlite (one connection), the in-memory transport, a relay. */
describe('outbox relay on PGlite', () => {
  let pg: TestPGlite;
  let db: TransactionalDb;
  let bus: MemoryTransport;
  const relays: OutboxRelay[] = [];
  const newRelay = (transport: BusTransport, options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) => {
    const relay = new OutboxRelay({ db, transport, logger: silentLogger, pollIntervalMs: 50, retryDelayMs: 10, ...options });
    relays.push(relay);
    return relay;
  };
  const record = (topic: string, payload: Record<string, unknown>) =>
    db.$transaction((tx) => recordEvent(tx, 'checkins', topic, payload));

  // one PGlite for the suite (it takes a second to start); a fresh table per test
  beforeAll(async () => {
    pg = await openTestPGlite();
    db = pg.db;
  });
  afterAll(() => pg?.close());
  beforeEach(async () => {
    await pg.exec(`DROP TABLE IF EXISTS "OutboxEvent"; ${OUTBOX_DDL}`);
    bus = new MemoryTransport({ logger: silentLogger });
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await bus.close();
  });

  it('never delivers an event whose transaction rolled back', async () => {
    const seen: BusEvent[] = [];
    bus.subscribe('checkin.>', (e) => void seen.push(e));
    newRelay(bus).start();

    await expect(
      db.$transaction(async (tx) => {
        await recordEvent(tx, 'checkins', 'checkin.recorded', { attendee: 'ghost' });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const kept = await record('checkin.recorded', { attendee: 'ada' });

    await waitFor(() => seen.length === 1);
    await sleep(150); // several poll intervals: nothing else shows up
    expect(seen).toEqual([kept]);
    // the published row is deleted; the rolled back one never was there
    expect(await pg.query('SELECT count(*)::int AS n FROM "OutboxEvent"')).toEqual([{ n: 0 }]);
  });

  it('updates a row once at most (its claim) and deletes it once published', async () => {
    await pg.exec(`CREATE TABLE IF NOT EXISTS "RowUpdates" ("eventId" UUID, "column" TEXT);
      CREATE OR REPLACE FUNCTION "count_updates"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO "RowUpdates" VALUES (NEW."eventId", CASE WHEN NEW."publishedAt" IS DISTINCT FROM OLD."publishedAt" THEN 'publishedAt' ELSE 'claimedUntil' END);
        RETURN NEW; END $$;
      CREATE TRIGGER "count_updates" AFTER UPDATE ON "OutboxEvent" FOR EACH ROW EXECUTE FUNCTION "count_updates"();
      TRUNCATE "RowUpdates";`);
    const transport = new RecordingTransport(); // keeps its own groups (as NATS does): claim, publish, delete
    const events = [await record('a.b', { n: 1 }), await record('a.b', { n: 2 }), await record('a.b', { n: 3 })];
    expect(await newRelay(transport).flush()).toBe(3);
    expect(transport.published).toEqual(events);
    expect(await pg.query('SELECT count(*)::int AS n FROM "OutboxEvent"')).toEqual([{ n: 0 }]);
    const updates = await pg.query<{ column: string; n: number }>(
      `SELECT "column", count(*)::int AS n FROM "RowUpdates" GROUP BY "column"`,
    );
    expect(updates).toEqual([{ column: 'claimedUntil', n: 3 }]);
  });

  it('delivers committed events once each, in commit order, and marks them published', async () => {
    const seen: BusEvent[] = [];
    bus.subscribe('>', (e) => void seen.push(e));
    const relay = newRelay(bus, { batchSize: 7 }).start();

    // app transactions keep committing while the relay runs
    const recorded: BusEvent[] = [];
    for (let i = 0; i < 20; i++) {
      recorded.push(
        ...(await db.$transaction(async (tx) => [
          await recordEvent(tx, 'checkins', 'checkin.recorded', { i, part: 1 }),
          await recordEvent(tx, 'checkins', 'checkin.recorded', { i, part: 2, nested: { list: [1, 'two', null] } }),
        ])),
      );
      relay.poke();
    }

    await waitFor(() => seen.length >= recorded.length);
    await sleep(100);
    expect(seen).toEqual(recorded); // same events, same order, no duplicates
    expect(await countUnpublished(db)).toBe(0);
  });

  it('publishes within milliseconds of a poke, not a poll interval', async () => {
    const latencies: number[] = [];
    let committedAt = 0;
    bus.subscribe('checkin.recorded', () => void latencies.push(performance.now() - committedAt));
    const relay = newRelay(bus, { pollIntervalMs: 60_000 }).start();
    await sleep(20); // let the first (empty) pass finish

    for (let i = 0; i < 5; i++) {
      await record('checkin.recorded', { i });
      committedAt = performance.now();
      relay.poke();
      await waitFor(() => latencies.length === i + 1, 1_000, 'poked delivery');
    }
    expect(Math.max(...latencies)).toBeLessThan(100);
  });

  it('under a stream of commits starts passes at least 10 ms apart, so commits share a pass', async () => {
    const passes: number[] = [];
    const counting: TransactionalDb = {
      ...db,
      $queryRawUnsafe: (sql, ...values) => {
        if (sql.includes('SET "publishedAt" = now()')) passes.push(performance.now());
        return db.$queryRawUnsafe(sql, ...values);
      },
    };
    const seen: BusEvent[] = [];
    bus.subscribe('checkin.recorded', (e) => void seen.push(e));
    const relay = newRelay(bus, { db: counting, pollIntervalMs: 60_000 }).start();
    await sleep(20);
    passes.length = 0;

    for (let i = 0; i < 30; i++) {
      await record('checkin.recorded', { i });
      relay.poke();
      await sleep(1);
    }
    await waitFor(() => seen.length === 30, 2_000, 'every event delivered');
    expect(passes.length).toBeLessThan(30);
    const gaps = passes.slice(1).map((t, i) => t - passes[i]!);
    // timers run on the event loop's clock, which may lag performance.now() by up to a millisecond
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(8);
  });

  it('republishes when the transport fails after sending; a deduping consumer applies each event once', async () => {
    const deliveries: string[] = [];
    const effects: string[] = [];
    bus.subscribe(
      'checkin.*',
      dedupeById((e) => void effects.push(e.id)),
    );
    bus.subscribe('checkin.*', (e) => void deliveries.push(e.id));

    // the first publish reaches the bus but its acknowledgement is "lost": the relay cannot mark the rows
    let failures = 1;
    const flaky: BusTransport = {
      publish: async (events) => {
        await bus.publish(events);
        if (failures-- > 0) throw new Error('ack lost');
      },
      subscribe: () => {
        throw new Error('unused');
      },
      close: async () => undefined,
    };
    const a = await record('checkin.recorded', { n: 1 });
    const b = await record('checkin.recorded', { n: 2 });
    newRelay(flaky).start();

    await waitFor(async () => (await countUnpublished(db)) === 0);
    await waitFor(() => deliveries.length === 4);
    expect(deliveries).toEqual([a.id, b.id, a.id, b.id]); // at least once: twice here
    expect(effects).toEqual([a.id, b.id]); // but applied once
  });

  it('a relay that dies mid-publish leaves a lease that expires; another relay publishes the rows again', async () => {
    const deliveries: string[] = [];
    const effects: string[] = [];
    bus.subscribe('>', (e) => void deliveries.push(e.id));
    bus.subscribe(
      '>',
      dedupeById((e) => void effects.push(e.id)),
    );

    // relay A sends, then hangs forever (a crashed process as far as the table is concerned)
    let unhang!: (err: Error) => void;
    const hanging: BusTransport = {
      publish: async (events) => {
        await bus.publish(events);
        await new Promise<void>((_, reject) => (unhang = reject));
      },
      subscribe: () => {
        throw new Error('unused');
      },
      close: async () => undefined,
    };
    const event = await record('checkin.recorded', { n: 1 });
    const relayA = newRelay(hanging, { leaseMs: 200 }).start();
    await waitFor(() => deliveries.length === 1);

    // relay B (another replica, or A restarted) skips the row while the lease holds, then takes it over. Replicas
    // share a table on a transport that keeps its own groups (NATS), so B forwards to the bus as one would: on the
    // memory bus itself a starting relay is the table's only publisher and takes claims over at once (owed-delivery tests)
    const forwarding: BusTransport = {
      publish: (events) => bus.publish(events),
      subscribe: () => {
        throw new Error('unused');
      },
      close: async () => undefined,
    };
    const relayB = newRelay(forwarding, { pollIntervalMs: 20 }).start();
    await sleep(100);
    expect(deliveries).toHaveLength(1);
    await waitFor(() => deliveries.length === 2, 2_000, 'redelivery after the lease');
    await waitFor(async () => (await countUnpublished(db)) === 0);
    expect(effects).toEqual([event.id]);

    unhang(new Error('process gone'));
    await relayA.stop();
    await relayB.stop();
    expect(await countUnpublished(db)).toBe(0); // A's late release does not un-publish the row
  });

  it('keeps rows while the transport is down and publishes them, with backoff, once it is back', async () => {
    const transport = new RecordingTransport();
    transport.failMode = 'before';
    const relay = newRelay(transport, { retryDelayMs: 20, maxRetryDelayMs: 80, pollIntervalMs: 10 }).start();
    const events = [await record('a.b', { n: 1 }), await record('a.b', { n: 2 })];
    for (let i = 0; i < 10; i++) relay.poke(); // pokes do not bypass the backoff

    await sleep(300);
    // doubling, jittered 20→80ms delays give a handful of attempts in 300ms; 10ms polling or the 10 pokes would give ~30
    expect(transport.calls).toBeGreaterThanOrEqual(2);
    expect(transport.calls).toBeLessThanOrEqual(12);
    expect(await countUnpublished(db)).toBe(2);

    transport.failMode = 'none';
    await waitFor(async () => (await countUnpublished(db)) === 0, 2_000);
    expect(transport.published).toEqual(events);
  });

  it('stop() lets the batch in flight finish publishing and marking', async () => {
    const transport = new RecordingTransport();
    transport.delayMs = 100;
    const relay = newRelay(transport, { pollIntervalMs: 60_000 }).start();
    await sleep(20);
    await record('a.b', { n: 1 });
    relay.poke();
    await waitFor(() => transport.calls === 1);
    await relay.stop();
    expect(transport.published).toHaveLength(1);
    expect(await countUnpublished(db)).toBe(0);

    await record('a.b', { n: 2 });
    relay.poke(); // stopped: no more passes
    await sleep(50);
    expect(transport.calls).toBe(1);
  });

  it('flush() publishes everything pending, in batches', async () => {
    const transport = new RecordingTransport();
    const relay = newRelay(transport, { batchSize: 3 });
    for (let i = 0; i < 10; i++) await record('a.b', { i });
    expect(await relay.flush()).toBe(10);
    expect(transport.calls).toBe(4);
    expect(transport.published.map((e) => e.payload.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await relay.flush()).toBe(0);
  });

  it('lets concurrent flushes share a pass that has not started yet, and still publishes every row', async () => {
    const transport = new RecordingTransport();
    transport.delayMs = 30;
    const relay = newRelay(transport);
    await record('a.b', { i: 0 });
    const first = relay.flush(); // starts at once
    for (let i = 1; i < 6; i++) await record('a.b', { i });
    const waiting = Array.from({ length: 20 }, () => relay.flush()); // all queue behind the first: one pass
    expect(new Set(waiting).size).toBe(1);
    const [published, shared] = await Promise.all([first, waiting[0]]);
    expect(published! + shared!).toBe(6);
    expect(transport.published.map((e) => e.payload.i)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  describe('owed delivery: the memory bus across a crash', () => owedDeliveryTests(() => db));
});
