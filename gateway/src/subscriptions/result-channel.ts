const DONE: IteratorReturnResult<undefined> = Object.freeze({
  value: undefined,
  done: true,
});

/**
 * A client's stream of results: iterated, or switched once to pushing each result to a function as it
 * comes. Pushing spares a fan-out to thousands of clients a promise chain per client per result; the
 * stream's end still reaches the iterator (next() settles done), so its consumer can close it in order.
 */
export interface SubscriptionStream<T> extends AsyncGenerator<T, undefined, unknown> {
  /**
   * From now on every result, those already buffered first and a final one included, goes to `receive`
   * synchronously and in order (results ready together in one call); next() then settles only when the
   * stream ends, with done.
   */
  pushTo(receive: (values: readonly T[]) => void): void;
}

/**
 * A push-fed stream handed to one client.
 *
 * Hand-rolled rather than an `async function*` because a native generator queues `return()` behind a
 * pending `next()`: a client unsubscribing from a quiet stream would stay attached until the next
 * event. Here `return()` settles at once and `onClose` detaches the client immediately.
 */
export class ResultChannel<T> implements SubscriptionStream<T> {
  private readonly buffered: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T, undefined>) => void> = [];
  private receive?: (values: readonly T[]) => void;
  private ended = false;

  /**
   * @param onClose called once when the consumer stops early or falls behind (not when the producer ends the channel)
   * @param overflow a reader that leaves more than `limit` values unread gets `last` and is ended, so one
   *   slow client cannot make the gateway hold an unbounded backlog (a pushed consumer leaves nothing unread here)
   */
  constructor(
    private readonly onClose: () => void,
    private readonly overflow?: { limit: number; last: T },
  ) {}

  get isOpen(): boolean {
    return !this.ended;
  }

  push(value: T): void {
    this.pushAll([value]);
  }

  /** Producer side: values ready together, in order. */
  pushAll(values: readonly T[]): void {
    if (this.ended || values.length === 0) return;
    if (this.receive) return this.receive(values);
    for (const value of values) this.buffer(value);
  }

  private buffer(value: T): void {
    if (this.ended) return;
    const waiter = this.waiting.shift();
    if (waiter) return waiter({ value, done: false });
    if (this.overflow && this.buffered.length >= this.overflow.limit) {
      this.end(this.overflow.last);
      this.onClose();
      return;
    }
    this.buffered.push(value);
  }

  /** Producer side: optionally deliver a last value; the consumer completes after draining the buffer. */
  end(last?: T): void {
    if (this.ended) return;
    if (last !== undefined && this.receive) this.receive([last]);
    else if (last !== undefined) {
      const waiter = this.waiting.shift();
      if (waiter) waiter({ value: last, done: false });
      else this.buffered.push(last);
    }
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter(DONE);
  }

  pushTo(receive: (values: readonly T[]) => void): void {
    this.receive = receive;
    const buffered = this.buffered.splice(0);
    if (buffered.length > 0) receive(buffered);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.buffered.length > 0)
      return Promise.resolve({
        value: this.buffered.shift() as T,
        done: false,
      });
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T, undefined>> {
    this.buffered.length = 0;
    if (!this.ended) {
      this.end();
      this.onClose();
    }
    return Promise.resolve(DONE);
  }

  throw(err: unknown): Promise<IteratorResult<T, undefined>> {
    void this.return();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** part of the AsyncGenerator type (explicit resource management) */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}
