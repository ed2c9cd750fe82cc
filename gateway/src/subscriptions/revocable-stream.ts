import type { ExecutionResult } from 'graphql';
import type { SubscriptionStream } from './result-channel';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A client's subscription stream that the gateway can end from outside: `revoke(last)` drops whatever
 * the inner stream still holds, detaches it from its upstream (`return()`), and hands the consumer
 * `last` as its final result. `finished` settles once the consumer has seen the end (or left), so the
 * socket can be closed after the final result went out.
 */
export class RevocableStream implements SubscriptionStream<ExecutionResult> {
  private last?: ExecutionResult;
  private lastDelivered = false;
  /** set once the consumer takes results pushed (see SubscriptionStream) */
  private receive?: (results: readonly ExecutionResult[]) => void;
  /** settles the consumer's pending next() early (a fresh callback per call, so nothing piles up) */
  private interrupt?: () => void;
  private markFinished!: () => void;
  readonly finished = new Promise<void>((resolve) => (this.markFinished = resolve));

  constructor(private readonly inner: SubscriptionStream<ExecutionResult>) {}

  get isRevoked(): boolean {
    return this.last !== undefined;
  }

  revoke(last: ExecutionResult): void {
    if (this.last !== undefined) return;
    this.last = last;
    this.pushLast();
    this.interrupt?.();
    void this.inner.return(undefined).catch(() => {});
  }

  pushTo(receive: (results: readonly ExecutionResult[]) => void): void {
    this.receive = receive;
    this.pushLast(); // revoked before the consumer began
    // what the inner stream still pushes after a revocation is dropped, as next() drops it
    this.inner.pushTo((results) => {
      if (this.last === undefined) receive(results);
    });
  }

  /** A pushed consumer gets `last` at once, behind the results pushed before it. */
  private pushLast(): void {
    if (!this.receive || this.last === undefined || this.lastDelivered) return;
    this.lastDelivered = true;
    this.receive([this.last]);
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    if (this.last === undefined) {
      const result = await new Promise<IteratorResult<ExecutionResult, unknown> | undefined>((resolve, reject) => {
        this.interrupt = () => resolve(undefined);
        this.inner.next().then(resolve, reject);
      });
      this.interrupt = undefined;
      // revoked while waiting: whatever the inner stream gave is not delivered any more
      if (this.last === undefined && result) {
        if (result.done) this.markFinished();
        return result.done ? DONE : result;
      }
    }
    if (!this.lastDelivered) {
      this.lastDelivered = true;
      return { value: this.last!, done: false };
    }
    this.markFinished();
    return DONE;
  }

  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.lastDelivered = true;
    this.last ??= {};
    this.interrupt?.();
    this.markFinished();
    await this.inner.return(undefined).catch(() => {});
    return DONE;
  }

  async throw(err: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
