import { MemoryTransport, type BusEvent } from '../../src/bus';
import { recordingLogger, silentLogger, sleep, waitFor } from './helpers';

const event = (topic: string, n = 0): BusEvent => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  topic,
  source: 'test',
  occurredAt: new Date().toISOString(),
  payload: { n },
});

describe('MemoryTransport', () => {
  let bus: MemoryTransport;
  beforeEach(() => {
    bus = new MemoryTransport({ logger: silentLogger });
  });
  afterEach(() => bus.close());

  it('fans out to every matching subscriber, by exact topic, * and >', async () => {
    const got: Record<string, string[]> = { exact: [], star: [], rest: [], other: [] };
    bus.subscribe('checkin.recorded', (e) => void got.exact!.push(e.topic));
    bus.subscribe('checkin.*', (e) => void got.star!.push(e.topic));
    bus.subscribe('checkin.>', (e) => void got.rest!.push(e.topic));
    bus.subscribe('ticket.*', (e) => void got.other!.push(e.topic));
    await bus.publish([event('checkin.recorded', 1), event('checkin.recorded.late', 2), event('checkin.deleted', 3)]);
    await waitFor(() => got.rest!.length === 3);
    expect(got).toEqual({
      exact: ['checkin.recorded'],
      star: ['checkin.recorded', 'checkin.deleted'],
      rest: ['checkin.recorded', 'checkin.recorded.late', 'checkin.deleted'],
      other: [],
    });
  });

  it('never runs handlers inside publish, keeps order per subscriber, isolates handlers', async () => {
    const seen: number[] = [];
    bus.subscribe('a.b', async (e) => {
      e.payload.n = -1; // must not leak to the other subscriber
      await sleep(1);
    });
    bus.subscribe('a.b', (e) => void seen.push(e.payload.n as number));
    await bus.publish([1, 2, 3].map((n) => event('a.b', n)));
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('logs a failing live subscriber and keeps delivering', async () => {
    const logger = recordingLogger();
    const quiet = new MemoryTransport({ logger });
    const seen: number[] = [];
    quiet.subscribe('a.b', (e) => {
      if (e.payload.n === 1) throw new Error('boom');
      seen.push(e.payload.n as number);
    });
    await quiet.publish([event('a.b', 1), event('a.b', 2)]);
    await waitFor(() => seen.length === 1);
    expect(logger.lines).toEqual(['warn bus subscriber failed; live subscriptions are not retried']);
    await quiet.close();
  });

  it('stops delivering after unsubscribe', async () => {
    const seen: number[] = [];
    const off = bus.subscribe('a.b', (e) => void seen.push(e.payload.n as number));
    await bus.publish([event('a.b', 1)]);
    await waitFor(() => seen.length === 1);
    off();
    await bus.publish([event('a.b', 2)]);
    await sleep(10);
    expect(seen).toEqual([1]);
  });

  it('durable consume: members of a group share the events; a failed one is redelivered', async () => {
    const attempts: Array<[number, number]> = [];
    const handledBy: Record<string, number[]> = { a: [], b: [] };
    const member = (name: string) => (e: BusEvent, d: { attempt: number }) => {
      attempts.push([e.payload.n as number, d.attempt]);
      if (e.payload.n === 2 && d.attempt < 3) throw new Error('receiver down');
      handledBy[name]!.push(e.payload.n as number);
    };
    const offA = bus.consume('webhooks', 'order.*', member('a'), { retryDelaysMs: [5, 10] });
    bus.consume('webhooks', 'order.*', member('b'));
    await bus.publish([1, 2, 3, 4].map((n) => event('order.placed', n)));
    await waitFor(() => handledBy.a!.length + handledBy.b!.length === 4, 2_000, 'all four handled');
    expect([...handledBy.a!, ...handledBy.b!].sort()).toEqual([1, 2, 3, 4]); // each event handled by one member
    expect(handledBy.a!.length).toBeGreaterThan(0);
    expect(handledBy.b!.length).toBeGreaterThan(0);
    expect(attempts.filter(([n]) => n === 2).map(([, attempt]) => attempt)).toEqual([1, 2, 3]);

    offA();
    expect(() => bus.consume('webhooks', 'other.*', () => undefined)).toThrow(/already consumes/);
  });

  it('durable consume: gives up after maxDeliver', async () => {
    const logger = recordingLogger();
    const t = new MemoryTransport({ logger });
    let calls = 0;
    t.consume(
      'g',
      'x.y',
      () => {
        calls++;
        throw new Error('always');
      },
      { maxDeliver: 2, retryDelaysMs: [1] },
    );
    await t.publish([event('x.y')]);
    await waitFor(() => logger.lines.includes('error bus consumer gave up on an event'));
    expect(calls).toBe(2);
    await t.close();
  });

  it('keeps a group backlog until a member joins', async () => {
    const seen: number[] = [];
    const off = bus.consume('g', 'x.*', () => undefined);
    off();
    await bus.publish([event('x.a', 1), event('x.a', 2)]);
    bus.consume('g', 'x.*', (e) => void seen.push(e.payload.n as number));
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual([1, 2]);
  });

  it('owed delivery: names the groups of a topic, delivers to the named ones, and reports each success', async () => {
    const handled: string[] = [];
    let failures = 1;
    bus.consume('fanout', '>', (e) => void handled.push(`fanout:${e.payload.n}`));
    bus.consume(
      'audit',
      'x.*',
      () => {
        if (failures-- > 0) throw new Error('not yet'); // settled only once it succeeds
        handled.push('audit');
      },
      { retryDelaysMs: [5] },
    );
    bus.consume('other', 'y.*', () => undefined);
    const live: number[] = [];
    bus.subscribe('>', (e) => void live.push(e.payload.n as number));
    expect(bus.owedDelivery.groupsFor('x.a').sort()).toEqual(['audit', 'fanout']);

    const settled: string[] = [];
    const record = (consumer: string, eventId: string) => void settled.push(`${consumer}:${eventId}`);
    bus.owedDelivery.deliver([{ event: event('x.a', 1), consumers: ['fanout', 'audit'] }], { live: true, settled: record });
    // a redelivery after a restart: the one group owing it, no live subscriber
    bus.owedDelivery.deliver([{ event: event('x.a', 2), consumers: ['fanout'] }], { live: false, settled: record });
    expect(settled).toEqual([]); // never inside the call

    await waitFor(() => settled.length === 3, 2_000, 'three settlements');
    expect(settled.sort()).toEqual([
      `audit:${event('x.a', 1).id}`,
      `fanout:${event('x.a', 1).id}`,
      `fanout:${event('x.a', 2).id}`,
    ]);
    expect(handled.sort()).toEqual(['audit', 'fanout:1', 'fanout:2']);
    expect(live).toEqual([1]);
  });

  it('rejects publish after close', async () => {
    await bus.close();
    await expect(bus.publish([event('a.b')])).rejects.toThrow('closed');
  });
});
