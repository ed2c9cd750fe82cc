import type { ServerResponse } from 'node:http';
import { loadIntSettings } from '../config';
import type { LoadSheddingMetrics, ShedReason } from '../metrics/load-shedding';
import { sendJson } from './apollo-http';

/** The code of a request refused because the server is past its bounds (HTTP 503 with Retry-After). */
export const OVERLOADED = 'OVERLOADED';

export interface LoadSheddingSettings {
  /** requests served at once; one more is answered 503 OVERLOADED at once (0: no bound) */
  maxInFlight: number;
  /** the event loop's delay past which requests are shed, until half a second passes without (0: not watched) */
  maxEventLoopDelayMs: number;
  /** the wait a shed client is told (Retry-After, extensions.retryAfterSeconds); default 1 */
  retryAfterSeconds?: number;
}

/** A starting point to tune per deployment: ordinary peaks never meet it, a flood cannot queue without end. */
export const DEFAULT_MAX_IN_FLIGHT = 1_000;

/** The gateway and every subgraph read it: the delay of their own process's event loop. */
export const EVENT_LOOP_DELAY_SETTING = { EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS: [0, 0, 60_000] } as const;

/** A subgraph's bounds: EVENTGRAPH_SUBGRAPH_MAX_IN_FLIGHT (1,000) and EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS (0: off). */
export function subgraphLoadSheddingFromEnv(env: Record<string, string | undefined> = process.env): LoadSheddingSettings {
  const read = loadIntSettings(
    { EVENTGRAPH_SUBGRAPH_MAX_IN_FLIGHT: [DEFAULT_MAX_IN_FLIGHT, 0, 1_000_000], ...EVENT_LOOP_DELAY_SETTING },
    env,
  );
  return { maxInFlight: read.EVENTGRAPH_SUBGRAPH_MAX_IN_FLIGHT, maxEventLoopDelayMs: read.EVENTGRAPH_MAX_EVENT_LOOP_DELAY_MS };
}

/**
 * Bounds what a server takes on: past `maxInFlight` requests at once, or while the event loop lags more
 * than `maxEventLoopDelayMs`, a request is answered at once with 503, Retry-After and OVERLOADED instead
 * of waiting in a queue that only grows (every waiting request holds its socket and body, and is
 * answered too late to matter). The caller decides which paths count: health checks and scrapes never do.
 */
export class LoadShedder {
  private inFlight = 0;
  private readonly counted = new WeakSet<ServerResponse>();
  private readonly lag?: EventLoopLag;
  private readonly retryAfterSeconds: number;

  constructor(
    private readonly settings: LoadSheddingSettings,
    private readonly metrics?: LoadSheddingMetrics,
  ) {
    this.retryAfterSeconds = settings.retryAfterSeconds ?? 1;
    metrics?.observeInFlight(() => this.inFlight);
    if (settings.maxEventLoopDelayMs > 0) this.lag = new EventLoopLag(settings.maxEventLoopDelayMs);
  }

  /** Why a request would be shed now, if it would. */
  overloaded(): ShedReason | undefined {
    if (this.settings.maxInFlight > 0 && this.inFlight >= this.settings.maxInFlight) return 'in_flight';
    if (this.lag?.lagging) return 'event_loop_delay';
    return undefined;
  }

  /**
   * For work that is not an HTTP request (a WebSocket upgrade, an operation on an open socket): how long the
   * caller should wait if it is refused now (counted as shed), or undefined to go ahead.
   */
  refuseNow(): { reason: ShedReason; retryAfterSeconds: number } | undefined {
    const reason = this.overloaded();
    if (!reason) return undefined;
    this.metrics?.shed(reason);
    return { reason, retryAfterSeconds: this.retryAfterSeconds };
  }

  /**
   * Counts the request until its response closes (answered or abandoned) and returns true; or, past a
   * bound, answers it with 503 OVERLOADED and returns false.
   */
  admit(res: ServerResponse): boolean {
    const reason = this.overloaded();
    if (reason) {
      this.metrics?.shed(reason);
      sendJson(res, 503, overloadedBody(this.retryAfterSeconds), { 'retry-after': String(this.retryAfterSeconds) });
      return false;
    }
    this.inFlight++;
    this.counted.add(res);
    res.once('close', () => this.release(res));
    return true;
  }

  /** Stops counting an admitted request before its response closes: an event stream, once started, is bounded like a socket. */
  release(res: ServerResponse): void {
    if (this.counted.delete(res)) this.inFlight--;
  }

  close(): void {
    this.lag?.stop();
  }
}

/** How often the event loop's delay is sampled, and how long a window of samples without one lasts. */
const TICK_MS = 20;
const WINDOW_MS = 500;

/**
 * Whether the event loop is late: a timer due every TICK_MS fires late by as long as the loop was busy.
 * A tick later than the bound sets `lagging` at once; the end of a window without one clears it. (Not
 * perf_hooks' monitorEventLoopDelay: its reset() forgets the delay being measured at that moment, so a
 * block that ends just before a reading could go unseen.)
 */
class EventLoopLag {
  lagging = false;
  private readonly timer: NodeJS.Timeout;

  constructor(maxDelayMs: number) {
    let last = performance.now();
    let windowStart = last;
    let windowMax = 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      const delay = now - last - TICK_MS;
      last = now;
      windowMax = Math.max(windowMax, delay);
      if (delay > maxDelayMs) this.lagging = true;
      if (now - windowStart >= WINDOW_MS) {
        this.lagging = windowMax > maxDelayMs;
        windowStart = now;
        windowMax = 0;
      }
    }, TICK_MS);
    this.timer.unref(); // never keeps a process alive on its own
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The GraphQL-shaped answer to a shed request. */
export const overloadedBody = (retryAfterSeconds: number) => ({
  errors: [
    {
      message: `the server is overloaded; retry in ${retryAfterSeconds} s`,
      extensions: { code: OVERLOADED, retryAfterSeconds },
    },
  ],
});
