import type { ExecutionResult } from 'graphql';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { closeError, isCloseEvent, RETRYABLE_CLOSES } from './close-codes';
import { ClientErrorCode, EventgraphError, type EventgraphGraphQLError } from './errors';
import { clientClosed, messageOf } from './http';

/** What the subscription socket is doing, for a UI's "live" / "reconnecting…" indicator. */
export type ConnectionEvent =
  | { type: 'connecting' }
  | { type: 'connected'; reconnected: boolean }
  /** the socket dropped and will be opened again after `delayMs`; subscriptions resume then (events in between are missed) */
  | { type: 'reconnecting'; attempt: number; delayMs: number }
  /**
   * the socket closed: `error` says why (none after the last subscription ended). A `reconnecting`
   * event follows when it will be opened again; otherwise the subscriptions on it ended with that error.
   */
  | { type: 'closed'; closeCode?: number; error?: EventgraphError };
export type ConnectionListener = (event: ConnectionEvent) => void;

/** Reconnection of the subscription socket: exponential back-off with full jitter. */
export interface ReconnectOptions {
  /** attempts after a drop before the subscriptions end with an error; default 5, 0 = never reconnect */
  attempts?: number;
  /** the first wait's upper bound; doubled for each further attempt; default 500 ms */
  baseDelayMs?: number;
  /** the longest wait; default 30 s */
  maxDelayMs?: number;
}

export interface SocketOptions {
  wsUrl: string;
  webSocketImpl: unknown;
  reconnect: Required<ReconnectOptions>;
  authorization(): Promise<string | undefined>;
  /** the user a partner key acts for (connection param `actingFor`) */
  actingFor?: string;
  ws?: Omit<WsClientOptions, 'url' | 'webSocketImpl' | 'connectionParams' | 'retryAttempts' | 'shouldRetry' | 'retryWait'>;
}

/** The wait before reconnection attempt `attempt` (0-based): random in [0, min(max, base·2^attempt)] ("full jitter"). */
export const backoffDelay = (attempt: number, { baseDelayMs, maxDelayMs }: Required<ReconnectOptions>, random = Math.random) =>
  Math.round(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));

/**
 * The graphql-ws client behind `subscribe`, opened lazily with the first
 * subscription and closed after the last. graphql-ws reconnects and
 * resubscribes by itself; this adds the back-off, the events and the typing of
 * what ends a subscription.
 */
export function subscriptionSocket(options: SocketOptions) {
  const listeners = new Set<ConnectionListener>();
  const emit = (event: ConnectionEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own: the socket goes on
      }
    }
  };
  let connectedBefore = false;
  const { ws: extra, reconnect } = options;

  const client: WsClient = createClient({
    ...extra,
    url: options.wsUrl,
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    connectionParams: async () => {
      const value = await options.authorization();
      return {
        ...(value ? { authorization: value } : {}),
        ...(options.actingFor ? { actingFor: options.actingFor } : {}),
      };
    },
    retryAttempts: reconnect.attempts,
    // a refused credential will be refused again; a protocol error is a bug; anything else that closed the socket may recover
    shouldRetry: (e) => !isCloseEvent(e) || RETRYABLE_CLOSES.has(e.code),
    retryWait: async (retries) => {
      const delayMs = backoffDelay(retries, reconnect);
      emit({ type: 'reconnecting', attempt: retries + 1, delayMs });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    },
    on: {
      ...extra?.on,
      connecting: (isRetry) => {
        extra?.on?.connecting?.(isRetry);
        if (!isRetry) emit({ type: 'connecting' });
      },
      connected: (socket, payload, wasRetry) => {
        extra?.on?.connected?.(socket, payload, wasRetry);
        emit({ type: 'connected', reconnected: wasRetry || connectedBefore });
        connectedBefore = true;
      },
      closed: (event) => {
        extra?.on?.closed?.(event);
        if (!isCloseEvent(event)) return emit({ type: 'closed' });
        emit({
          type: 'closed',
          closeCode: event.code,
          error: event.code === 1000 ? undefined : closeError(event, options.wsUrl),
        });
      },
    },
  });

  return {
    client,
    onConnection(listener: ConnectionListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // graphql-ws's dispose() waits for a connection attempt and rejects with its close event when that
    // attempt was refused (4403) or failed: there is no socket to close then, and close() must not throw
    dispose: () => Promise.resolve(client.dispose()).catch(() => undefined),
  };
}

/** A running subscription: iterate it with `for await`; `return()` (or leaving the loop) ends it. */
export interface EventgraphSubscription<TData> extends AsyncIterableIterator<TData> {
  return(): Promise<IteratorResult<TData, undefined>>;
  /** ends the subscription; pending and later `next()` calls report done */
  unsubscribe(): void;
}

/**
 * graphql-ws's own iterator (`client.iterate`), each result turned into its
 * data, each failure into an EventgraphError. Ending it (return, unsubscribe,
 * client.close) completes a `next()` that is waiting, unlike an async
 * generator, whose return() would wait for the next event first.
 */
export function typedSubscription<TData>(
  source: AsyncIterableIterator<ExecutionResult<TData>> | undefined,
  wsUrl: string,
): EventgraphSubscription<TData> {
  let ended = source === undefined;
  let failure: EventgraphError | undefined = source === undefined ? clientClosed() : undefined;
  const done = { value: undefined, done: true } as const;

  const subscription: EventgraphSubscription<TData> = {
    async next() {
      if (failure) {
        const error = failure;
        failure = undefined; // reported once; after that the iterator is simply done
        throw error;
      }
      if (ended || !source) return done;
      let result: IteratorResult<ExecutionResult<TData>>;
      try {
        result = await source.next();
      } catch (err) {
        ended = true;
        throw subscriptionError(err, wsUrl);
      }
      if (result.done || ended) {
        ended = true;
        return done;
      }
      const { data, errors } = result.value;
      if (errors?.length) {
        ended = true;
        void source.return?.();
        throw EventgraphError.fromResponse(errors as unknown as EventgraphGraphQLError[], data);
      }
      return { value: data as TData, done: false };
    },
    async return() {
      ended = true;
      failure = undefined;
      await source?.return?.();
      return done;
    },
    unsubscribe() {
      void subscription.return();
    },
    [Symbol.asyncIterator]() {
      return subscription;
    },
  };
  return subscription;
}

function subscriptionError(err: unknown, wsUrl: string): EventgraphError {
  if (err instanceof EventgraphError) return err;
  // the server answered the subscribe message with `error` (validation, authorisation)
  if (Array.isArray(err)) return EventgraphError.fromResponse(err as EventgraphGraphQLError[]);
  if (isCloseEvent(err)) return closeError(err, wsUrl);
  return new EventgraphError(`subscription connection to ${wsUrl} failed: ${messageOf(err)}`, {
    code: ClientErrorCode.NETWORK_ERROR,
    cause: err,
  });
}
