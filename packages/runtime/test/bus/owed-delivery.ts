import {
  claimUnpublished,
  MemoryTransport,
  OutboxRelay,
  recordEvent,
  type BusEvent,
  type OutboxRelayOptions,
  type TransactionalDb,
} from '../../src/bus';
import { recordingLogger, silentLogger, sleep, waitFor } from './helpers';

/**
 * The memory bus's durable delivery (OwedDelivery), against a real database: a row handed to the consumer
 * groups stays in the producer's outbox, marked published, until every group has handled it, and survives a
 * crash. Shared by the PGlite and the PostgreSQL suites; `db()` is the database of the current test, with a
 * fresh outbox table.
 */
export function owedDeliveryTests(db: () => TransactionalDb): void {
  const relays: OutboxRelay[] = [];
  const transports: MemoryTransport[] = [];
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    // a "crashed" transport may hold a handler that never returns: do not wait for it
    transports.splice(0).forEach((t) => void t.close());
  });

  const newBus = () => {
    const bus = new MemoryTransport({ logger: silentLogger });
    transports.push(bus);
    return bus;
  };
  const newRelay = (bus: MemoryTransport, options: Partial<OutboxRelayOptions> = {}) => {
    const relay = new OutboxRelay({ db: db(), transport: bus, logger: silentLogger, pollIntervalMs: 20, ...options });
    relays.push(relay);
    return relay;
  };
  const record = (topic: string, payload: Record<string, unknown> = {}) =>
    db().$transaction((tx) => recordEvent(tx, 'tickets', topic, payload));
  const rows = () =>
    db().$queryRawUnsafe<Array<{ eventId: string; published: boolean; claimed: boolean }>>(
      `SELECT "eventId"::text AS "eventId", "publishedAt" IS NOT NULL AS "published", "claimedUntil" IS NOT NULL AS "claimed"
       FROM "OutboxEvent" ORDER BY "id"`,
    );
  const marked = async () => (await rows()).filter((r) => r.published).map((r) => r.eventId);
  const never = new Promise<void>(() => undefined);

  it('marks a batch published, hands each row to every group consuming it, and deletes it once they are all done', async () => {
    const bus = newBus();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const handled: string[] = [];
    bus.consume('scans', 'ticket.*', async (e) => {
      await gate;
      handled.push(`scans:${e.id}`);
    });
    bus.consume('audit', '>', async (e) => {
      await gate;
      handled.push(`audit:${e.id}`);
    });
    const a = await record('ticket.issued');
    const b = await record('ticket.issued');
    const c = await record('venue.created'); // audit only
    expect(await newRelay(bus).flush()).toBe(3);

    // marked once, with no claim before it
    expect(await rows()).toEqual([a, b, c].map((e) => ({ eventId: e.id, published: true, claimed: false })));
    open();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'every row deleted');
    const expected = [`audit:${a.id}`, `audit:${b.id}`, `audit:${c.id}`, `scans:${a.id}`, `scans:${b.id}`];
    expect(handled.sort()).toEqual(expected.sort());
  });

  it('keeps a row while any group is at work on it, and deletes at once a row no group consumes', async () => {
    const bus = newBus();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let audited = 0;
    bus.consume('scans', 'ticket.*', () => gate);
    bus.consume('audit', 'ticket.*', () => void audited++);
    const owedEvent = await record('ticket.issued');
    await record('venue.created'); // no group consumes it
    expect(await newRelay(bus).flush()).toBe(2);

    await waitFor(async () => audited === 1 && (await rows()).length === 1, 5_000, 'the unconsumed row deleted');
    await sleep(150); // past the batching of deletions: audit is done, scans is not
    expect(await rows()).toEqual([{ eventId: owedEvent.id, published: true, claimed: false }]);
    open();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the row deleted once scans is done');
  });

  it('deletes the rows of a burst together, not one statement per event', async () => {
    const bus = newBus();
    bus.consume('scans', 'ticket.*', () => undefined);
    bus.consume('audit', '>', () => undefined);
    for (let i = 0; i < 40; i++) await record('ticket.issued', { i });
    const deletes: number[] = [];
    const counting: TransactionalDb = {
      ...db(),
      $executeRawUnsafe: (sql, ...values) => {
        if (sql.includes('DELETE FROM "OutboxEvent"')) deletes.push((values[0] as string[]).length);
        return db().$executeRawUnsafe(sql, ...values);
      },
    };
    expect(await newRelay(bus, { db: counting }).flush()).toBe(40);
    await waitFor(async () => (await rows()).length === 0, 5_000, 'every row deleted');
    expect(deletes.reduce((sum, n) => sum + n, 0)).toBe(40);
    expect(deletes.length).toBeLessThanOrEqual(3);
  });

  it('tries a failed deletion again, and delivers nothing twice meanwhile', async () => {
    const bus = newBus();
    const got: string[] = [];
    bus.consume('scans', 'ticket.*', (e) => void got.push(e.id));
    const event = await record('ticket.issued');
    let failures = 1;
    const flaky: TransactionalDb = {
      ...db(),
      $executeRawUnsafe: (sql, ...values) =>
        sql.includes('DELETE FROM "OutboxEvent"') && failures-- > 0
          ? Promise.reject(new Error('connection lost'))
          : db().$executeRawUnsafe(sql, ...values),
    };
    const logger = recordingLogger();
    newRelay(bus, { db: flaky, logger }).start();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the row deleted on the second try');
    expect(got).toEqual([event.id]);
    expect(logger.lines).toContain('warn could not delete handled outbox rows; retried, or delivered again after a restart');
  });

  it('after a crash, delivers every row still marked again, to each group consuming it, and not to live subscribers', async () => {
    const first = newBus();
    const firstFast: string[] = [];
    first.consume('fast', 'ticket.*', (e) => void firstFast.push(e.id));
    first.consume('slow', 'ticket.*', () => never); // the process dies while this one is at work
    const events = [await record('ticket.issued', { n: 1 }), await record('ticket.issued', { n: 2 })];
    await newRelay(first).flush();
    await waitFor(() => firstFast.length === 2, 5_000, 'fast done');
    expect(await marked()).toEqual(events.map((e) => e.id));

    // the restart: a new bus, the groups join, then a new relay on the same table
    const second = newBus();
    const got: Record<string, string[]> = { fast: [], slow: [], live: [] };
    second.consume('fast', 'ticket.*', (e) => void got.fast!.push(e.id));
    second.consume('slow', 'ticket.*', (e) => void got.slow!.push(e.id));
    second.subscribe('>', (e) => void got.live!.push(e.id));
    newRelay(second).start();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the marked rows deleted after the restart');
    // fast had handled them before the crash: it gets them a second time (at least once)
    const ids = events.map((e) => e.id);
    expect(got).toEqual({ fast: ids, slow: ids, live: [] });
  });

  it('judges nothing before startAfter: a group that joins late still gets what it is owed', async () => {
    const first = newBus();
    first.consume('late', 'ticket.*', () => never);
    const event = await record('ticket.issued');
    await newRelay(first).flush();

    const second = newBus();
    let joined!: () => void;
    const relay = newRelay(second, { startAfter: new Promise<void>((resolve) => (joined = resolve)) }).start();
    const fresh = await record('ticket.issued');
    relay.poke();
    await sleep(100);
    // neither deleted as consumed by nobody nor published to nobody
    expect(await rows()).toEqual([
      { eventId: event.id, published: true, claimed: false },
      { eventId: fresh.id, published: false, claimed: false },
    ]);

    const got: string[] = [];
    second.consume('late', 'ticket.*', (e) => void got.push(e.id));
    joined();
    await waitFor(() => got.length === 2, 5_000, 'owed and new events');
    expect(got).toEqual([event.id, fresh.id]);
    await waitFor(async () => (await rows()).length === 0);
  });

  it('takes over the claims of a dead process at once, instead of waiting for their lease', async () => {
    await record('ticket.issued');
    expect(await claimUnpublished(db(), 10, 60_000)).toHaveLength(1); // claimed by a process that then died
    const bus = newBus();
    const got: BusEvent[] = [];
    bus.consume('scans', 'ticket.*', (e) => void got.push(e));
    newRelay(bus).start();
    await waitFor(() => got.length === 1, 2_000, 'the claimed row delivered');
  });

  it('deletes at the start a row still marked that no group consumes any more', async () => {
    const first = newBus();
    first.consume('retired', 'ticket.*', () => never);
    await record('ticket.issued');
    await newRelay(first).flush();
    expect(await marked()).toHaveLength(1);

    const second = newBus();
    const live: string[] = [];
    second.subscribe('>', (e) => void live.push(e.id));
    newRelay(second).start();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the row deleted');
    expect(live).toEqual([]);
  });

  it('counts an event a group gives up on (maxDeliver) as handled by it', async () => {
    const bus = newBus();
    let attempts = 0;
    bus.consume(
      'doomed',
      'ticket.*',
      () => {
        attempts++;
        return Promise.reject(new Error('always'));
      },
      { maxDeliver: 2, retryDelaysMs: [1] },
    );
    bus.consume('fine', 'ticket.*', () => undefined);
    await record('ticket.issued');
    await newRelay(bus).flush();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the row deleted after the doomed group gave up');
    expect(attempts).toBe(2);
  });
}
