/**
 * Spaces requests to one source: each `pass()` resolves no sooner than `minIntervalMs` after the previous one
 * was let through, in call order (a paging loop, or several callers sharing one source, never bursts).
 */
export class RateGate {
  private nextAt = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly minIntervalMs: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> } = {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  ) {}

  /** A gate for a source's `requestsPerMinute`; none (or 0) means no spacing. */
  static perMinute(requestsPerMinute: number | null | undefined, clock?: RateGate['clock']): RateGate {
    return new RateGate(requestsPerMinute && requestsPerMinute > 0 ? Math.ceil(60_000 / requestsPerMinute) : 0, clock);
  }

  /** Waits for this caller's turn. */
  pass(): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.nextAt - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      this.nextAt = this.clock.now() + this.minIntervalMs;
    });
    this.queue = turn;
    return turn;
  }
}
