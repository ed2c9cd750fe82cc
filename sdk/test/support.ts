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

/** Waits until the gateway holds `count` upstream subscriptions, so an event produced next cannot be missed. */
export async function waitForUpstreams(platform: TestPlatform, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (platform.gateway.engine.upstreamCount() !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} upstream subscriptions, have ${platform.gateway.engine.upstreamCount()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
