import { RateGate } from '../../src/fetch';

/** a clock that moves only when someone sleeps: the spacing is measured, not waited for */
function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('RateGate', () => {
  it('spaces requests by the interval a rate per minute allows, in call order', async () => {
    const clock = fakeClock();
    const gate = RateGate.perMinute(30, clock); // one every 2 s
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => gate.pass().then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([2_000, 2_000]);
  });

  it('does not wait when the interval has already passed, nor without a rate', async () => {
    const clock = fakeClock();
    const gate = new RateGate(500, clock);
    await gate.pass();
    await clock.sleep(800); // the caller spent longer than the interval parsing a page
    await gate.pass();
    expect(clock.sleeps).toEqual([800]);
    const open = RateGate.perMinute(null, clock);
    await Promise.all([open.pass(), open.pass()]);
    expect(open.minIntervalMs).toBe(0);
    expect(clock.sleeps).toEqual([800]);
  });
});
