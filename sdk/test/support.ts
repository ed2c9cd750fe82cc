import type { TestPlatform } from '../../platform/test/support/test-platform';

/** `promise`, or a rejection naming `what` after `ms`: no test waits forever. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const live = new WeakMap<TestPlatform, Map<string, number>>();

/**
 * Counts the live bus subscriptions of the platform's subgraphs by topic
 * pattern (what a GraphQL subscription resolver registers once it runs). The
 * graphql-transport-ws protocol does not acknowledge a subscription, and the
 * gateway's upstream count rises before the subgraph has subscribed; a live
 * bus subscriber is the moment an event produced next cannot be missed.
 * Call right after startTestPlatform(), before any subscription.
 */
export function trackLiveSubscriptions(platform: TestPlatform): void {
  if (live.has(platform)) return;
  const counts = new Map<string, number>();
  live.set(platform, counts);
  const bus = platform.bus;
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (pattern, handler) => {
    const unsubscribe = subscribe(pattern, handler);
    let active = false;
    let ended = false;
    void unsubscribe.ready.then(() => {
      if (ended) return;
      active = true;
      counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
    });
    return Object.assign(
      () => {
        ended = true;
        if (active) counts.set(pattern, counts.get(pattern)! - 1);
        active = false;
        unsubscribe();
      },
      { ready: unsubscribe.ready },
    );
  };
}

export const liveSubscriptions = (platform: TestPlatform, pattern: string): number => live.get(platform)?.get(pattern) ?? 0;

/** waits until `count` subscriptions for `pattern` are live in the subgraphs, e.g. ('checkin.recorded', 1) */
export function waitForLive(platform: TestPlatform, pattern: string, count = 1): Promise<void> {
  if (!live.has(platform)) throw new Error('call trackLiveSubscriptions(platform) first');
  return until(() => liveSubscriptions(platform, pattern) === count, `expected ${count} live ${pattern} subscription(s)`);
}

/** waits until no subscription is live anywhere: neither in the subgraphs nor at the gateway */
export function waitForNoSubscriptions(platform: TestPlatform): Promise<void> {
  return until(
    () => platform.gateway.engine.upstreamCount() === 0 && [...(live.get(platform)?.values() ?? [])].every((n) => n === 0),
    'subscriptions are still open',
  );
}

/** Waits until the gateway holds `count` upstream subscriptions. */
export function waitForUpstreams(platform: TestPlatform, count: number, timeoutMs = 5000): Promise<void> {
  return until(() => platform.gateway.engine.upstreamCount() === count, `expected ${count} upstream subscriptions`, timeoutMs);
}
