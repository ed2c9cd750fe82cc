import { ReplayBuffer } from '../../src/sse/replay-buffer';

describe('the replay buffer', () => {
  let now = 0;
  const buffer = (limits: Partial<{ maxEvents: number; maxBytes: number; maxAgeMs: number }> = {}) =>
    new ReplayBuffer({ maxEvents: 3, maxBytes: 1_000, maxAgeMs: 10_000, ...limits }, () => now);

  beforeEach(() => (now = 0));

  it('replays what came after a sequence it still covers', () => {
    const kept = buffer();
    for (const n of [1, 2, 3]) kept.append(n, `m${n}`);
    expect(kept.after(0)).toEqual(['m1', 'm2', 'm3']);
    expect(kept.after(2)).toEqual(['m3']);
    expect(kept.after(3)).toEqual([]);
  });

  it('says so (undefined) when a message after the sequence was dropped for count, bytes or age', () => {
    const byCount = buffer();
    for (const n of [1, 2, 3, 4]) byCount.append(n, `m${n}`);
    expect(byCount.size).toBe(3);
    expect(byCount.after(0)).toBeUndefined();
    expect(byCount.after(1)).toEqual(['m2', 'm3', 'm4']);

    const byBytes = buffer({ maxBytes: 10 });
    byBytes.append(1, 'x'.repeat(6));
    byBytes.append(2, 'y'.repeat(6));
    expect(byBytes.after(0)).toBeUndefined();
    expect(byBytes.after(1)).toEqual(['y'.repeat(6)]);

    const byAge = buffer();
    byAge.append(1, 'old');
    now = 5_000;
    byAge.append(2, 'new');
    now = 12_000;
    expect(byAge.after(0)).toBeUndefined();
    expect(byAge.after(1)).toEqual(['new']);
    now = 20_000;
    expect(byAge.after(1)).toBeUndefined();
    expect(byAge.after(2)).toEqual([]);
  });

  it('tells since when it keeps everything, and the messages from a time on (for resumes from another replica)', () => {
    now = 1_000;
    const kept = buffer();
    now = 2_000;
    kept.append(1, 'm1');
    now = 3_000;
    kept.append(2, 'm2');
    expect(kept.keptSince(2_500)).toEqual({ since: 1_000, messages: ['m2'] });
    for (const n of [3, 4]) kept.append(n, `m${n}`); // m1, at 2 s, dropped
    expect(kept.keptSince(0)).toEqual({ since: 2_000, messages: ['m2', 'm3', 'm4'] });
  });
});
