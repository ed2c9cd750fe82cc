// Keeps the local copy current: a sync every `everyMs`, another at once when woken (a live change), and after a
// failure that waiting can mend (no network, 5xx, a body that is not a calendar) retries sooner, with back-off.
import { SyncFailure } from './failures';
import type { LocalCalendar } from './local-calendar';
import { syncOnce } from './sync-once';

export interface SyncLoopOptions {
  local: LocalCalendar;
  everyMs: number;
  /** a line for each sync that worked */
  print(line: string): void;
  /** a line for each that did not */
  error(line: string): void;
  signal?: AbortSignal;
  /** first retry after a failure (default 1 s); doubled each time, never longer than `everyMs` */
  retryBaseMs?: number;
}

export interface SyncLoop {
  /** ends with the failure that stopped it (a feed that is gone), or undefined when `signal` ended it; rejects on a bug */
  done: Promise<SyncFailure | undefined>;
  /** sync now (coalesced: changes arriving together cost one request) */
  wake(): void;
}

const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function startSyncLoop(options: SyncLoopOptions): SyncLoop {
  const { local, everyMs, signal } = options;
  const retryBase = options.retryBaseMs ?? 1000;
  let woken = false;
  let interrupt = () => {};

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        interrupt = () => {};
        resolve();
      }
      interrupt = done;
      signal?.addEventListener('abort', done, { once: true });
    });

  const run = async (): Promise<SyncFailure | undefined> => {
    for (let failures = 0; !signal?.aborted;) {
      woken = false;
      let wait = everyMs;
      try {
        options.print(`${stamp()} ${await syncOnce(local)}`);
        failures = 0;
      } catch (err) {
        if (!(err instanceof SyncFailure)) throw err;
        if (!err.transient) return err;
        failures++;
        // full jitter over an exponential step, so many clients of one gateway do not come back in step
        const backoff = Math.min(everyMs, retryBase * 2 ** (failures - 1));
        wait = Math.max(err.retryAfterMs ?? 0, Math.round(backoff / 2 + (Math.random() * backoff) / 2));
        options.error(`${stamp()} ${err.message}; ${local.file} kept as it was; retrying in ${(wait / 1000).toFixed(1)} s`);
      }
      await pause(wait);
    }
    return undefined;
  };

  let debounce: NodeJS.Timeout | undefined;
  return {
    done: run(),
    wake() {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        woken = true;
        interrupt();
      }, 100);
    },
  };
}
