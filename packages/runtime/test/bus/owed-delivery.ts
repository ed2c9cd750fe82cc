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
 * The memory bus's durable delivery (OwedDelivery), against a real database: what each consumer group owes
 * is kept in the producer's OutboxDelivery table and survives a crash. Shared by the PGlite and the
 * PostgreSQL suites; `db()` is the database of the current test, with fresh outbox tables.
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
  const owed = async () =>
    (
      await db().$queryRawUnsafe<Array<{ eventId: string; consumer: string }>>(
        `SELECT "eventId"::text AS "eventId", "consumer" FROM "OutboxDelivery" ORDER BY "consumer", "eventId"`,
      )
    ).map((r) => `${r.consumer}:${r.eventId}`);
  const never = new Promise<void>(() => undefined);

  it('records with the mark what each group owes, and clears a group once its handler is done', async () => {
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

    const expected = [`audit:${a.id}`, `audit:${b.id}`, `audit:${c.id}`, `scans:${a.id}`, `scans:${b.id}`];
    expect(await owed()).toEqual([...expected].sort());
    open();
    await waitFor(async () => (await owed()).length === 0, 5_000, 'every debt settled');
    expect(handled.sort()).toEqual([...expected].sort());
  });

  it('keeps a row while a group owes it, marked published once, and deletes it with the last settlement', async () => {
    const bus = newBus();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    bus.consume('scans', 'ticket.*', () => gate);
    bus.consume('audit', 'ticket.*', () => undefined);
    const owedEvent = await record('ticket.issued');
    await record('venue.created'); // no group consumes it
    expect(await newRelay(bus).flush()).toBe(2);
    const rows = () =>
      db().$queryRawUnsafe<Array<{ eventId: string; published: boolean; claimed: boolean }>>(
        `SELECT "eventId"::text AS "eventId", "publishedAt" IS NOT NULL AS "published", "claimedUntil" IS NOT NULL AS "claimed" FROM "OutboxEvent"`,
      );
    // the unconsumed row is gone at once; the owed one is kept, marked (no claim before it), until both groups are done
    await waitFor(async () => (await owed()).length === 1, 5_000, 'audit settled');
    expect(await rows()).toEqual([{ eventId: owedEvent.id, published: true, claimed: false }]);
    open();
    await waitFor(async () => (await rows()).length === 0, 5_000, 'the row deleted with the last settlement');
    expect(await owed()).toEqual([]);
  });

  it('after a crash, delivers what is still owed again, to the groups owing it only, and not to live subscribers', async () => {
    const first = newBus();
    first.consume('fast', 'ticket.*', () => undefined);
    first.consume('slow', 'ticket.*', () => never); // the process dies while this one is at work
    const events = [await record('ticket.issued', { n: 1 }), await record('ticket.issued', { n: 2 })];
    await newRelay(first).flush();
    await waitFor(async () => (await owed()).every((o) => o.startsWith('slow:')), 5_000, 'fast settled');
    expect(await owed()).toHaveLength(2);

    // the restart: a new bus, the groups join, then a new relay on the same table
    const second = newBus();
    const got: Record<string, string[]> = { fast: [], slow: [], live: [] };
    second.consume('fast', 'ticket.*', (e) => void got.fast!.push(e.id));
    second.consume('slow', 'ticket.*', (e) => void got.slow!.push(e.id));
    second.subscribe('>', (e) => void got.live!.push(e.id));
    newRelay(second).start();
    await waitFor(async () => (await owed()).length === 0, 5_000, 'owed deliveries settled after the restart');
    expect(got).toEqual({ fast: [], slow: events.map((e) => e.id), live: [] });
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
    expect(await owed()).toEqual([`late:${event.id}`]); // neither dropped as "no longer consumed" nor published to nobody

    const got: string[] = [];
    second.consume('late', 'ticket.*', (e) => void got.push(e.id));
    joined();
    await waitFor(() => got.length === 2, 5_000, 'owed and new events');
    expect(got).toEqual([event.id, fresh.id]);
    await waitFor(async () => (await owed()).length === 0);
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

  it('drops, with a warning, what is owed to a group that no longer exists', async () => {
    const first = newBus();
    first.consume('retired', 'ticket.*', () => never);
    first.consume('kept', 'ticket.*', () => never);
    const event = await record('ticket.issued');
    await newRelay(first).flush();

    const second = newBus();
    const got: string[] = [];
    second.consume('kept', 'ticket.*', (e) => void got.push(e.id));
    const logger = recordingLogger();
    newRelay(second, { logger }).start();
    await waitFor(async () => (await owed()).length === 0);
    expect(got).toEqual([event.id]);
    expect(logger.lines).toContain('warn outbox deliveries owed to consumer groups that no longer exist; dropped');
  });

  it('settles an event a group gives up on (maxDeliver), and never prunes a row still owed', async () => {
    const bus = newBus();
    bus.consume('doomed', 'ticket.*', () => Promise.reject(new Error('always')), { maxDeliver: 2, retryDelaysMs: [1] });
    bus.consume('stuck', 'ticket.*', () => never);
    const event = await record('ticket.issued');
    const relay = newRelay(bus, { retentionMs: 1 });
    await relay.flush();
    await waitFor(async () => (await owed()).length === 1, 5_000, 'the doomed group settled');
    expect(await owed()).toEqual([`stuck:${event.id}`]);

    await sleep(5);
    expect(await relay.prune()).toBe(0);
    expect(await owed()).toEqual([`stuck:${event.id}`]);
  });
}
