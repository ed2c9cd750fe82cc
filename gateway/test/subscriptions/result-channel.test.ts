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

  it('pushes what it buffered, then each value as it comes and the last one, and ends the iterator after', async () => {
    const channel = new ResultChannel<number>(() => {}, { limit: 2, last: -1 });
    channel.push(1);
    const received: number[] = [];
    channel.pushTo((values) => received.push(...values));
    const ended = channel.next();
    for (let i = 2; i <= 5; i++) channel.push(i); // nothing is left unread here, so no overflow
    expect(received).toEqual([1, 2, 3, 4, 5]);
    channel.end(6);
    expect(received).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ended).toEqual({ value: undefined, done: true });
  });

  it('pushes nothing after its consumer left', async () => {
    let closed = 0;
    const channel = new ResultChannel<number>(() => closed++);
    const received: number[] = [];
    channel.pushTo((values) => received.push(...values));
    channel.push(1);
    await channel.return();
    channel.push(2);
    channel.end(3);
    expect(received).toEqual([1]);
    expect(closed).toBe(1);
  });
});
