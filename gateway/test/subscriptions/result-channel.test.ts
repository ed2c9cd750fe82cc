import { ResultChannel } from '../../src/subscriptions/result-channel';

describe('ResultChannel', () => {
  it('hands values to a waiting reader and buffers the rest in order', async () => {
    const channel = new ResultChannel<number>(() => {});
    const first = channel.next();
    channel.push(1);
    channel.push(2);
    channel.end(3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await channel.next()).toEqual({ value: 2, done: false });
    expect(await channel.next()).toEqual({ value: 3, done: false });
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('detaches at once when the reader leaves while waiting', async () => {
    let closed = 0;
    const channel = new ResultChannel<number>(() => closed++);
    const pending = channel.next();
    await channel.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    channel.push(1);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a reader that falls too far behind with the overflow value, and detaches it', async () => {
    let closed = 0;
    const channel = new ResultChannel<number>(() => closed++, { limit: 3, last: -1 });
    for (let i = 1; i <= 10; i++) channel.push(i);
    const read: number[] = [];
    for await (const value of channel) read.push(value);
    expect(read).toEqual([1, 2, 3, -1]);
    expect(closed).toBe(1);
  });
});
