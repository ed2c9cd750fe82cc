import {
  assertTopic,
  assertTopicPattern,
  dedupeById,
  RecentEventIds,
  retryDelay,
  topicMatches,
  type BusEvent,
} from '../../src/bus';

describe('topic patterns (NATS-style)', () => {
  it.each([
    ['checkin.recorded', 'checkin.recorded', true],
    ['checkin.recorded', 'checkin.deleted', false],
    ['checkin.*', 'checkin.recorded', true],
    ['checkin.*', 'checkin.recorded.late', false],
    ['checkin.*', 'checkin', false],
    ['*.recorded', 'checkin.recorded', true],
    ['*.*', 'a.b', true],
    ['checkin.>', 'checkin.recorded', true],
    ['checkin.>', 'checkin.recorded.late', true],
    ['checkin.>', 'checkin', false],
    ['>', 'anything.at.all', true],
    ['*.x.>', 'a.x.b.c', true],
    ['*.x.>', 'a.y.b', false],
  ])('%s vs %s → %s', (pattern, topic, expected) => {
    expect(topicMatches(pattern, topic)).toBe(expected);
  });

  it('rejects wildcards in topics and misplaced > in patterns', () => {
    expect(() => assertTopic('checkin.*')).toThrow(TypeError);
    expect(() => assertTopic('checkin..x')).toThrow(TypeError);
    expect(() => assertTopic('has space')).toThrow(TypeError);
    expect(() => assertTopicPattern('a.>.b')).toThrow(TypeError);
    expect(() => assertTopicPattern('a.b*')).toThrow(TypeError);
    expect(() => assertTopicPattern('a.*.>')).not.toThrow();
  });

  it('retry delays repeat the last step', () => {
    expect([1, 2, 3, 9].map((n) => retryDelay([10, 20, 30], n))).toEqual([10, 20, 30, 30]);
  });
});

describe('dedupe by event id', () => {
  const event = (id: string): BusEvent => ({ id, topic: 't', source: 's', occurredAt: new Date().toISOString(), payload: {} });

  it('forgets the least recently seen id beyond its capacity', () => {
    const seen = new RecentEventIds(2);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('b')).toBe(true);
    expect(seen.add('a')).toBe(false); // refreshes a
    seen.add('c'); // evicts b
    expect([seen.has('a'), seen.has('b'), seen.has('c'), seen.size]).toEqual([true, false, true, 2]);
  });

  it('runs a handler once per id, and again after it failed', async () => {
    const effects: string[] = [];
    let failNext = true;
    const handler = dedupeById(async (e: BusEvent) => {
      if (e.id === 'x' && failNext) {
        failNext = false;
        throw new Error('boom');
      }
      effects.push(e.id);
    });
    await expect(handler(event('x'))).rejects.toThrow('boom');
    await handler(event('x'));
    await handler(event('x'));
    await handler(event('y'));
    await handler(event('y'));
    expect(effects).toEqual(['x', 'y']);
  });
});
