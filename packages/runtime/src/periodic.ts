import type { Logger } from './logger';

/**
 * A background job of a subgraph: `pass` runs at start (catching up on what fell due while nothing ran), then
 * `intervalMs` after each pass ends, never two at once. A failing pass is logged and the next one runs as usual.
 * Returns the consumer's stop function: no new pass starts, and the running one is awaited.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  pass: () => Promise<unknown>,
  log: Pick<Logger, 'warn'>,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const next = () => {
    running = pass()
      .then(() => undefined)
      .catch((err: unknown) => {
        if (!stopped) log.warn({ err }, `${name} failed`);
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(next, intervalMs);
      });
  };
  next();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
