import type { BusEvent } from './bus/event';
import type { BusTransport } from './bus/transport';
import { DomainError } from './errors';

/** Events a slow subscriber may fall behind by before its stream is ended with an error. */
const MAX_BUFFERED = 1000;

/**
 * Turns bus events into the async iterator a GraphQL subscription resolver
 * returns. The bus subscription lives exactly as long as the iterator: when the
 * client leaves, graphql-ws calls `return()` and we unsubscribe at once, even
 * while a `next()` is still waiting (which an async generator cannot do).
 */
export function liveEvents(
  transport: BusTransport,
  topicPattern: string,
  accept: (event: BusEvent) => boolean = () => true,
): AsyncIterableIterator<BusEvent> {
  const buffer: BusEvent[] = [];
  const seen = new Set<string>();
  const waiting: Array<(result: IteratorResult<BusEvent>) => void> = [];
  let done = false;
  let overflow = false;

  const unsubscribe = transport.subscribe(topicPattern, (event) => {
    // at-least-once delivery: drop an id already passed on
    if (done || seen.has(event.id) || !accept(event)) return;
    seen.add(event.id);
    if (seen.size > MAX_BUFFERED * 4) seen.delete(seen.values().next().value!);
    const waiter = waiting.shift();
    if (waiter) waiter({ value: event, done: false });
    else if (buffer.length < MAX_BUFFERED) buffer.push(event);
    else overflow = true;
  });

  const finish = (): IteratorResult<BusEvent> => {
    if (!done) {
      done = true;
      unsubscribe();
      for (const waiter of waiting.splice(0)) waiter({ value: undefined, done: true });
    }
    return { value: undefined, done: true };
  };

  return {
    async next() {
      await unsubscribe.ready;
      const value = buffer.shift();
      if (value) return { value, done: false };
      if (overflow) {
        finish();
        throw new DomainError('SUBSCRIPTION_OVERFLOW', 'subscriber fell too far behind; subscribe again');
      }
      if (done) return { value: undefined, done: true };
      return new Promise((resolve) => waiting.push(resolve));
    },
    async return() {
      return finish();
    },
    async throw(err) {
      finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
