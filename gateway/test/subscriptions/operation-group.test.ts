import type { ExecutionResult } from 'graphql';
import { silentLogger } from '../../src/subscriptions/logger';
import { OperationGroup } from '../../src/subscriptions/operation-group';
import { ResultChannel } from '../../src/subscriptions/result-channel';

/** A group whose events resolve when the test says, and pushed clients recording each push. */
function setup() {
  const pending = new Map<string, (result: ExecutionResult) => void>();
  const group = new OperationGroup<string>(
    (event) =>
      event === 'fails'
        ? Promise.reject(new Error('entity fetch failed'))
        : new Promise((resolve) => pending.set(event, resolve)),
    silentLogger,
  );
  const resolve = (event: string) => {
    pending.get(event)!({ data: { event } });
    pending.delete(event);
  };
  const client = () => {
    const channel = new ResultChannel<ExecutionResult>(() => group.delete(channel));
    const pushes: unknown[][] = [];
    channel.pushTo((results) => pushes.push(results.map((r) => r.data?.event ?? r.errors?.[0]?.message)));
    group.add(channel);
    return { channel, pushes };
  };
  return { group, resolve, client, resolving: () => pending.size };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('OperationGroup', () => {
  it('hands every client the same result object, once resolved', async () => {
    const { group, resolve } = setup();
    const received: ExecutionResult[] = [];
    for (let i = 0; i < 3; i++) {
      const channel = new ResultChannel<ExecutionResult>(() => {});
      channel.pushTo((results) => received.push(...results));
      group.add(channel);
    }
    group.publish('e1');
    resolve('e1');
    await settle();
    expect(received).toHaveLength(3);
    expect(new Set(received).size).toBe(1);
  });

  it('delivers in arrival order, results ready together in one push per client', async () => {
    const { group, resolve, client } = setup();
    const a = client();
    group.publish('e1');
    group.publish('e2');
    group.publish('e3');
    resolve('e3'); // resolved out of order
    resolve('e2');
    await settle();
    expect(a.pushes).toEqual([]); // e1 first
    resolve('e1');
    await settle();
    expect(a.pushes).toEqual([['e1', 'e2', 'e3']]);
  });

  it('resolves a burst a bounded number at a time, and delivers all of it in order', async () => {
    const { group, resolve, client, resolving } = setup();
    const a = client();
    const events = Array.from({ length: 40 }, (_, i) => `e${i}`);
    events.forEach((event) => group.publish(event));
    expect(resolving()).toBe(16);
    for (const event of events) {
      resolve(event);
      await settle();
    }
    expect(resolving()).toBe(0);
    expect(a.pushes.flat()).toEqual(events);
  });

  it('gives a client only the events that arrived after it joined', async () => {
    const { group, resolve, client } = setup();
    const early = client();
    group.publish('e1');
    const late = client();
    group.publish('e2');
    resolve('e1');
    resolve('e2');
    await settle();
    expect(early.pushes.flat()).toEqual(['e1', 'e2']);
    expect(late.pushes.flat()).toEqual(['e2']);
  });

  it('drops a client whose push fails, and delivers to the others', async () => {
    const { group, resolve, client } = setup();
    const failing = new ResultChannel<ExecutionResult>(() => group.delete(failing));
    failing.pushTo(() => {
      throw new Error('socket gone');
    });
    group.add(failing);
    const other = client();
    group.publish('e1');
    resolve('e1');
    await settle();
    group.publish('e2');
    resolve('e2');
    await settle();
    expect(other.pushes.flat()).toEqual(['e1', 'e2']);
    expect(failing.isOpen).toBe(false);
    expect(group.size).toBe(1);
  });

  it('delivers a failed resolution as an error result and goes on', async () => {
    const { group, resolve, client } = setup();
    const a = client();
    group.publish('fails');
    group.publish('e2');
    resolve('e2');
    await settle();
    expect(a.pushes.flat()).toEqual(['entity fetch failed', 'e2']);
  });

  it('ends its clients after the events before the end were delivered, and pushes nothing to one that left', async () => {
    const { group, resolve, client } = setup();
    const [staying, leaving] = [client(), client()];
    group.publish('e1');
    void leaving.channel.return();
    const ended = group.end({ errors: [new Error('upstream gone') as never] });
    resolve('e1');
    await ended;
    expect(staying.pushes).toEqual([['e1'], ['upstream gone']]);
    expect(staying.channel.isOpen).toBe(false);
    expect(leaving.pushes).toEqual([]);
    expect(group.size).toBe(0);
  });
});
