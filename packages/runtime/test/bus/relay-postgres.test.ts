import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  claimUnpublished,
  countUnpublished,
  MemoryTransport,
  OUTBOX_DDL,
  OutboxRelay,
  recordEvent,
  type BusEvent,
  type TransactionalDb,
} from '../../src/bus';
import { describeIfReachable, PG_URL, pgPoolDb, RecordingTransport, silentLogger, sleep, waitFor } from './helpers';
import { owedDeliveryTests } from './owed-delivery';

/** Server mode: one schema per subgraph on a PostgreSQL server, several relay replicas per table. */
describeIfReachable('PostgreSQL', PG_URL)('outbox relay on PostgreSQL', () => {
  const schema = `bus_test_${randomUUID().slice(0, 8)}`;
  let admin: Pool;
  let pool: Pool;
  let db: TransactionalDb;

  beforeAll(async () => {
    admin = new Pool({ connectionString: PG_URL, max: 1 });
    await admin.query(`CREATE SCHEMA "${schema}"`);
    // as in production: the subgraph's schema is selected through search_path, the SQL is unqualified
    pool = new Pool({ connectionString: PG_URL, max: 8, options: `-c search_path="${schema}"` });
    db = pgPoolDb(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });
  beforeEach(() => pool.query(`DROP TABLE IF EXISTS "OutboxEvent"; ${OUTBOX_DDL}`));

  const recordMany = async (n: number) => {
    const events: BusEvent[] = [];
    await db.$transaction(async (tx) => {
      for (let i = 0; i < n; i++) events.push(await recordEvent(tx, 'tickets', 'ticket.issued', { i }));
    });
    return events;
  };

  it('rolled-back events are never delivered; committed ones are, in order', async () => {
    const bus = new MemoryTransport({ logger: silentLogger });
    const seen: BusEvent[] = [];
    bus.subscribe('ticket.*', (e) => void seen.push(e));
    const relay = new OutboxRelay({ db, transport: bus, logger: silentLogger, pollIntervalMs: 50 }).start();

    await expect(
      db.$transaction(async (tx) => {
        await recordEvent(tx, 'tickets', 'ticket.issued', { doomed: true });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    const committed = await recordMany(5);
    relay.poke();

    await waitFor(() => seen.length === 5);
    await sleep(150);
    expect(seen).toEqual(committed);
    await relay.stop();
    await bus.close();
  });

  it('a claim skips rows another transaction holds, without waiting for it', async () => {
    await recordMany(10);
    const other = await pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT "id" FROM "OutboxEvent" ORDER BY "id" LIMIT 4 FOR UPDATE`);
      const started = Date.now();
      const claimed = await claimUnpublished(db, 100, 30_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(claimed.map((e) => e.payload.i)).toEqual([4, 5, 6, 7, 8, 9]);
      // and a second claimer finds nothing left to take: the first claim's lease holds the rest
      expect(await claimUnpublished(db, 100, 30_000)).toEqual([]);
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    expect((await claimUnpublished(db, 100, 30_000)).map((e) => e.payload.i)).toEqual([0, 1, 2, 3]);
  });

  it('two relays on one table never publish the same row twice', async () => {
    const recorded = await recordMany(300);
    const a = new RecordingTransport();
    const b = new RecordingTransport();
    a.delayMs = b.delayMs = 15; // a slow publish, so the relays' passes overlap
    const relayA = new OutboxRelay({ db, transport: a, batchSize: 20, logger: silentLogger });
    const relayB = new OutboxRelay({ db, transport: b, batchSize: 20, logger: silentLogger });

    const [fromA, fromB] = await Promise.all([relayA.flush(), relayB.flush()]);

    const ids = [...a.published, ...b.published].map((e) => e.id);
    expect(fromA + fromB).toBe(300);
    expect(new Set(ids).size).toBe(ids.length); // no row twice
    expect(new Set(ids)).toEqual(new Set(recorded.map((e) => e.id))); // every row once
    expect(a.published.length).toBeGreaterThan(0); // both really worked concurrently
    expect(b.published.length).toBeGreaterThan(0);
    // each relay publishes its batches in id order
    for (const t of [a, b]) {
      const order = t.published.map((e) => e.payload.i as number);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(await countUnpublished(db)).toBe(0);
  });

  it('running relay replicas share a stream of commits without duplicates', async () => {
    const transports = [new RecordingTransport(), new RecordingTransport(), new RecordingTransport()];
    const relays = transports.map((transport) =>
      new OutboxRelay({ db, transport, batchSize: 5, pollIntervalMs: 10, logger: silentLogger }).start(),
    );
    const recorded: BusEvent[] = [];
    for (let i = 0; i < 20; i++) {
      recorded.push(...(await recordMany(5)));
      relays[i % relays.length]!.poke();
    }
    await waitFor(() => transports.reduce((n, t) => n + t.published.length, 0) >= recorded.length, 5_000);
    await Promise.all(relays.map((r) => r.stop()));

    const ids = transports.flatMap((t) => t.published.map((e) => e.id));
    expect(ids.length).toBe(recorded.length);
    expect(new Set(ids)).toEqual(new Set(recorded.map((e) => e.id)));
    expect(await countUnpublished(db)).toBe(0);
  });

  describe('owed delivery: the memory bus across a crash', () => owedDeliveryTests(() => db));
});
