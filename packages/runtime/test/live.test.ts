import { MemoryTransport } from '../src/bus';
import { liveEvents } from '../src/live';

const event = (id: string, seriesId: string) => ({
  id,
  topic: 'checkin.recorded',
  source: 'access',
  occurredAt: new Date().toISOString(),
  payload: { seriesId },
});

describe('liveEvents', () => {
  it('yields matching bus events once each, in order', async () => {
    const bus = new MemoryTransport();
    const stream = liveEvents(bus, 'checkin.*', (e) => e.payload.seriesId === 's1');
    const first = stream.next();
    await bus.publish([event('a', 's1'), event('b', 's2'), event('a', 's1'), event('c', 's1')]);
    expect((await first).value.id).toBe('a');
    expect((await stream.next()).value.id).toBe('c');
    await stream.return!();
    await bus.close();
  });

  it('unsubscribes as soon as the subscriber leaves, even while waiting for an event', async () => {
    const bus = new MemoryTransport();
    const stream = liveEvents(bus, 'checkin.recorded');
    const pending = stream.next();
    await stream.return!();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await bus.publish([event('late', 's1')]);
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
    await bus.close();
  });
});
