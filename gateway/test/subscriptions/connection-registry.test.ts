import { GraphQLError, type ExecutionResult } from 'graphql';
import { ConnectionRegistry, CLOSE_UNAUTHORIZED, type Verdict } from '../../src/subscriptions/connection-registry';
import { staticUpstreamAuth, type UpstreamAuth } from '../../src/subscriptions/engine';
import { silentLogger } from '../../src/subscriptions/logger';
import { ResultChannel } from '../../src/subscriptions/result-channel';

type Auth = UpstreamAuth & { who: string };
const auth = (who: string): Auth => ({ ...staticUpstreamAuth({ who }), who });
const refusal = new GraphQLError('the key was revoked', {
  extensions: { code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIAL' },
});

/** A registry whose verdicts the test decides, and a record of the sockets it closed. */
function setup(options: { intervalMs?: number; expiresAt?: (a: Auth) => Date | undefined } = {}) {
  const verdicts = new Map<string, Verdict<Auth>>();
  const asked: string[] = [];
  const registry = new ConnectionRegistry<Auth>({
    revalidate: async (a) => {
      asked.push(a.who);
      return verdicts.get(a.who) ?? { kind: 'unchanged' };
    },
    expiresAt: options.expiresAt,
    intervalMs: options.intervalMs ?? 0,
    logger: silentLogger,
  });
  const closed: Array<{ who: string; code: number; reason: string }> = [];
  const open = (who: string) => registry.open(auth(who), (code, reason) => closed.push({ who, code, reason }));
  /** a client stream fed by `channel`, as the engine hands it out */
  const stream = (connection: ReturnType<typeof open>) => {
    const channel = new ResultChannel<ExecutionResult>(() => {});
    return { channel, stream: registry.track(connection, channel, connection.epoch) };
  };
  return { registry, verdicts, asked, closed, open, stream };
}

const until = async (condition: () => boolean, timeoutMs = 2_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ConnectionRegistry', () => {
  it('ends the subscriptions of a caller who lost a right with PERMISSIONS_CHANGED, dropping what was not yet read', async () => {
    const { registry, verdicts, open, stream, closed } = setup();
    const alice = open('alice');
    const bob = open('bob');
    const a = stream(alice);
    const b = stream(bob);
    a.channel.push({ data: { n: 1 } });
    expect(await a.stream.next()).toEqual({ value: { data: { n: 1 } }, done: false });
    a.channel.push({ data: { n: 2 } }); // unread when the right is lost: never delivered

    verdicts.set('alice', { kind: 'narrowed', auth: auth('alice') });
    await registry.revalidate((x) => x.who === 'alice');
    const last = await a.stream.next();
    expect((last.value as ExecutionResult).errors![0]!.extensions).toMatchObject({ code: 'PERMISSIONS_CHANGED' });
    expect(await a.stream.next()).toEqual({ value: undefined, done: true });
    expect(a.channel.isOpen).toBe(false); // left its upstream
    expect(closed).toEqual([]); // the socket stays: subscribing again is authorised afresh
    expect(alice.epoch).toBe(1);

    // bob was not asked about and goes on
    b.channel.push({ data: { n: 3 } });
    expect(await b.stream.next()).toEqual({ value: { data: { n: 3 } }, done: false });
  });

  it('pushes the revocation right after what was pushed before it, and nothing from the stream after', async () => {
    const { registry, verdicts, open, stream } = setup();
    const alice = open('alice');
    const a = stream(alice);
    const received: ExecutionResult[] = [];
    a.stream.pushTo((results) => received.push(...results));
    const ended = a.stream.next();
    a.channel.push({ data: { n: 1 } });

    verdicts.set('alice', { kind: 'narrowed', auth: auth('alice') });
    await registry.revalidate(() => true);
    a.channel.push({ data: { n: 2 } });
    expect(received).toHaveLength(2);
    expect(received[0]).toEqual({ data: { n: 1 } });
    expect(received[1]!.errors![0]!.extensions).toMatchObject({ code: 'PERMISSIONS_CHANGED' });
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(a.channel.isOpen).toBe(false);
  });

  it('pushes a revocation that came before the consumer began', async () => {
    const { registry, verdicts, open } = setup();
    const alice = open('alice');
    const epoch = alice.epoch;
    verdicts.set('alice', { kind: 'narrowed', auth: auth('alice') });
    await registry.revalidate(() => true);
    const late = registry.track(alice, new ResultChannel<ExecutionResult>(() => {}), epoch);
    const received: ExecutionResult[] = [];
    late.pushTo((results) => received.push(...results));
    expect(received.map((r) => r.errors![0]!.extensions.code)).toEqual(['PERMISSIONS_CHANGED']);
    expect(await late.next()).toEqual({ value: undefined, done: true });
  });

  it('ends a subscription that was authorised before the rights were lost', async () => {
    const { registry, verdicts, open } = setup();
    const alice = open('alice');
    const epoch = alice.epoch;
    verdicts.set('alice', { kind: 'narrowed', auth: auth('alice') });
    await registry.revalidate(() => true);
    const late = registry.track(alice, new ResultChannel<ExecutionResult>(() => {}), epoch);
    expect(((await late.next()).value as ExecutionResult).errors![0]!.extensions).toMatchObject({
      code: 'PERMISSIONS_CHANGED',
    });
  });

  it('ends everything with the refusal and closes the socket with 4401 once the last result went out', async () => {
    const { registry, verdicts, open, stream, closed } = setup();
    const alice = open('alice');
    const one = stream(alice);
    const two = stream(alice);
    verdicts.set('alice', { kind: 'refused', error: refusal });
    const pending = one.stream.next(); // a consumer waiting for the next event gets the refusal instead
    await registry.revalidate(() => true);
    expect(((await pending).value as ExecutionResult).errors).toEqual([refusal]);
    expect(closed).toEqual([]); // not before the final results were read
    expect(((await two.stream.next()).value as ExecutionResult).errors).toEqual([refusal]);
    await one.stream.next();
    await two.stream.next();
    await until(() => closed.length > 0);
    expect(closed).toEqual([{ who: 'alice', code: CLOSE_UNAUTHORIZED, reason: 'INVALID_CREDENTIAL' }]);
    expect(alice.refusal).toBe(refusal);
  });

  it('keeps a connection when the caller cannot be looked at, and adopts widened rights for new operations only', async () => {
    const registry = new ConnectionRegistry<Auth>({
      revalidate: async () => {
        throw new Error('users is unreachable');
      },
      intervalMs: 0,
      logger: silentLogger,
    });
    const alice = registry.open(auth('alice'), () => {
      throw new Error('must not close');
    });
    await registry.revalidate(() => true);
    expect(alice.refusal).toBeUndefined();

    const { registry: other, verdicts, open, stream } = setup();
    const bob = open('bob');
    const running = stream(bob);
    const widened = auth('bob');
    verdicts.set('bob', { kind: 'widened', auth: widened });
    await other.revalidate(() => true);
    expect(bob.auth).toBe(widened);
    expect(bob.epoch).toBe(0);
    running.channel.push({ data: { n: 1 } });
    expect(await running.stream.next()).toEqual({ value: { data: { n: 1 } }, done: false });
  });

  it('looks at every connection on each sweep, bus or not', async () => {
    const { registry, asked, open } = setup({ intervalMs: 20 });
    open('alice');
    open('bob');
    await until(() => asked.filter((w) => w === 'alice').length >= 2 && asked.includes('bob'));
    registry.stop();
  });

  it('looks again when the credential expires', async () => {
    const expiresAt = new Date(Date.now() + 50);
    const { registry, asked, verdicts, open, closed } = setup({ expiresAt: () => expiresAt });
    verdicts.set('alice', { kind: 'refused', error: refusal });
    open('alice');
    await until(() => closed.length === 1, 3_000);
    expect(asked).toEqual(['alice']);
    registry.stop();
  });

  it('forgets a closed socket', async () => {
    const { registry, asked, open } = setup();
    const alice = open('alice');
    registry.forget(alice);
    await registry.revalidate(() => true);
    expect(asked).toEqual([]);
    expect(registry.size).toBe(0);
  });
});
