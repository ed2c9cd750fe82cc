import type { EventgraphError } from '../errors';
import { clientClosed } from '../http';
import type { ConnectionListener } from '../socket';
import type { StreamItem } from './event-stream';

/** Options of one server-sent event stream. */
export interface StreamOptions {
  /** ends the stream (the iteration is then done) */
  signal?: AbortSignal;
  /** resume a stream followed before from its `lastEventId`: what came after it is replayed first */
  lastEventId?: string;
  /**
   * The gateway could not replay what followed the last event (`reset`, EVENTS_MISSED): reload what you
   * show, then go on reading; the stream follows on from now. Without it, the iteration ends with that
   * EventgraphError instead, so no gap passes unnoticed.
   */
  onReset?(error: EventgraphError): void;
  /** the stream's connection: connecting, connected, closed (with the error), reconnecting (attempt, delayMs) */
  onConnection?: ConnectionListener;
  /** headers for this stream only */
  headers?: Record<string, string>;
}

/** A followed event stream: iterate it with `for await`; `return()` (or leaving the loop) ends it. */
export interface EventgraphEventStream<TData> extends AsyncIterableIterator<TData> {
  return(): Promise<IteratorResult<TData, undefined>>;
  /** ends the stream; pending and later `next()` calls report done */
  unsubscribe(): void;
  /** the id of the last event received (store it to resume later with `lastEventId`) */
  readonly lastEventId: string | undefined;
}

/**
 * The items of `follow` as the data of each `next`: the connection opens at once (not at the first
 * `next()`), later messages are read as the caller reads (a reader that stops reading is cut off by the
 * gateway and resumes from its Last-Event-ID). Ending it (return, unsubscribe, the signal, client.close())
 * completes a `next()` that is waiting.
 */
export function typedEventStream<TData>(
  follow: (signal: AbortSignal, onPosition: (id: string) => void) => AsyncGenerator<StreamItem>,
  options: StreamOptions,
  closing: AbortSignal,
): EventgraphEventStream<TData> {
  const stop = new AbortController();
  const done = { value: undefined, done: true } as const;
  let lastEventId = options.lastEventId;
  let failure: EventgraphError | undefined = closing.aborted ? clientClosed() : undefined;
  let ended = failure !== undefined;
  // the abort ends what the source waits on; return() then runs its cleanup even when nobody reads it again
  const end = () => {
    stop.abort();
    void source?.return(undefined).catch(() => {});
  };
  const outer = [closing, options.signal].filter((s): s is AbortSignal => !!s);
  for (const signal of outer) {
    if (signal.aborted) ended = true;
    else signal.addEventListener('abort', end);
  }
  stop.signal.addEventListener('abort', () => outer.forEach((signal) => signal.removeEventListener('abort', end)));
  const source: AsyncGenerator<StreamItem> | undefined = ended
    ? undefined
    : follow(stop.signal, (id) => (lastEventId = id || undefined));
  // opened now; its first item waits for the first next() (a failure nobody reads is no unhandled rejection)
  let primed = source?.next();
  primed?.catch(() => {});

  const stream: EventgraphEventStream<TData> = {
    get lastEventId() {
      return lastEventId;
    },
    async next() {
      if (failure) {
        const error = failure;
        failure = undefined; // reported once; after that the iteration is done
        throw error;
      }
      for (;;) {
        if (ended || !source) return done;
        let result: IteratorResult<StreamItem>;
        try {
          result = await (primed ?? source.next());
        } catch (err) {
          ended = true;
          end();
          if (stop.signal.aborted && !isStreamFailure(err)) return done;
          throw err;
        } finally {
          primed = undefined;
        }
        if (result.done || ended) {
          ended = true;
          return done;
        }
        const item = result.value;
        if (item.type === 'next') return { value: item.data as TData, done: false };
        if (!options.onReset) {
          ended = true;
          end();
          throw item.error;
        }
        options.onReset(item.error);
      }
    },
    async return() {
      ended = true;
      failure = undefined;
      end();
      await source?.return(undefined).catch(() => {});
      return done;
    },
    unsubscribe() {
      void stream.return();
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

/** a failure of the stream itself, not the abort that ended it */
const isStreamFailure = (err: unknown) =>
  typeof err === 'object' && err !== null && (err as { name?: string }).name === 'EventgraphError';
