import { ClientErrorCode, EventgraphError, isEventgraphError, type EventgraphGraphQLError } from '../errors';
import { isObject, messageOf } from '../http';
import type { ConnectionListener, ReconnectOptions } from '../socket';
import { backoffDelay } from '../socket';
import { eventStreamMessages, type EventStreamState } from './event-stream-parser';

/**
 * Following one gateway event stream (`GET /events/stream`, `POST /graphql/stream`, …) over fetch, with the
 * gateway's protocol (gateway/src/sse/protocol.ts, GraphQL over SSE plus `reset`): `next` carries a result,
 * `error` carries `{ errors }` and ends the subscription, `complete` ends it, `reset` says the events after
 * Last-Event-ID are no longer kept. A stream that drops without `complete` is opened again after the server's
 * `retry:` hint, then with back-off, sending Last-Event-ID so the gateway replays what was missed.
 */

/** A response as far as a stream reads it: fetch's, in browsers and Node alike. */
export interface StreamResponse {
  status: number;
  headers?: { get(name: string): string | null };
  text(): Promise<string>;
  body?: {
    getReader?: () => { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel?(): Promise<void> };
  } | null;
}

/** Opens the stream once (credential, persisted documents and refreshes are its concern): a 200 response, or throws the refusal. */
export type StreamConnector = (lastEventId: string | undefined, signal: AbortSignal) => Promise<StreamResponse>;

export type StreamItem = { type: 'next'; data: unknown; id: string } | { type: 'reset'; error: EventgraphError };

export interface FollowOptions {
  url: string;
  connect: StreamConnector;
  reconnect: Required<ReconnectOptions>;
  /** aborted by the caller, return() or client.close(): the stream ends quietly */
  signal: AbortSignal;
  /** the Last-Event-ID to resume from (a stream followed earlier) */
  lastEventId?: string;
  /** no byte (not even a keep-alive comment) for this long: the connection is taken for dead and opened again */
  idleTimeoutMs: number;
  onConnection?: ConnectionListener;
  /** told the position after every message, to resume from later */
  onPosition?(lastEventId: string): void;
}

/** Refusals that a later attempt may not repeat: overload, rate limits, an unreachable or failing upstream, the network. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set<string>([
  ClientErrorCode.NETWORK_ERROR,
  ClientErrorCode.TIMEOUT,
  'RATE_LIMITED',
  'OVERLOADED',
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_TIMEOUT',
  'SLOW_SUBSCRIBER',
]);
export const isRetryableRefusal = (err: EventgraphError) =>
  RETRYABLE_CODES.has(err.code) || (err.status !== undefined && RETRYABLE_STATUSES.has(err.status));

/** errors the server ended the stream with (`error`): the subscription is over, whatever the code says */
const endedByServer = new WeakSet<EventgraphError>();

export async function* followEventStream(o: FollowOptions): AsyncGenerator<StreamItem> {
  const state: EventStreamState = { lastEventId: o.lastEventId ?? '' };
  let failures = 0;
  let opened = false;
  let dropped = false;
  const emit: ConnectionListener = (event) => {
    try {
      o.onConnection?.(event);
    } catch {
      // a listener's failure is its own
    }
  };
  emit({ type: 'connecting' });
  while (!o.signal.aborted) {
    let failure: EventgraphError | undefined;
    // one signal per attempt, so what an attempt left listening is dropped with it
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    o.signal.addEventListener('abort', abort);
    try {
      const response = await o.connect(state.lastEventId || undefined, attempt.signal);
      emit({ type: 'connected', reconnected: opened });
      opened = true;
      failures = 0;
      for await (const message of eventStreamMessages(chunksOf(response, attempt.signal, o.idleTimeoutMs), state)) {
        o.onPosition?.(state.lastEventId);
        const item = itemOf(message.event, message.data, state.lastEventId);
        if (item === 'complete') return emit({ type: 'closed' });
        if (item) yield item;
      }
      dropped = true; // the server ended the response without `complete`: follow on from Last-Event-ID
    } catch (err) {
      if (o.signal.aborted) break;
      failure = isEventgraphError(err) ? err : networkError(o.url, err);
      if (!isRetryableRefusal(failure) || endedByServer.has(failure)) {
        emit({ type: 'closed', error: failure });
        throw failure;
      }
    } finally {
      o.signal.removeEventListener('abort', abort);
      attempt.abort();
    }
    if (o.signal.aborted) break;
    if (failures >= o.reconnect.attempts) {
      const error = failure ?? networkError(o.url, 'the stream ended');
      emit({ type: 'closed', error });
      throw error;
    }
    // the first attempt after a drop waits what the server asked (`retry:`), later ones back off with jitter
    const delayMs =
      failure?.retryAfterMs ??
      (dropped && failures === 0 && state.retryMs !== undefined ? state.retryMs : backoffDelay(failures, o.reconnect));
    dropped = false;
    emit({ type: 'closed', error: failure });
    emit({ type: 'reconnecting', attempt: ++failures, delayMs });
    await pause(delayMs, o.signal);
  }
}

/** A message as the stream's protocol reads it: an item, 'complete', or nothing (an event of no concern). */
function itemOf(event: string, data: string, id: string): StreamItem | 'complete' | undefined {
  if (event === 'complete') return 'complete';
  if (event !== 'next' && event !== 'error' && event !== 'reset') return undefined;
  let payload: { data?: unknown; errors?: EventgraphGraphQLError[] };
  try {
    payload = JSON.parse(data) as typeof payload;
  } catch (err) {
    throw new EventgraphError(`an \`${event}\` message is not JSON: ${data.slice(0, 200)}`, {
      code: ClientErrorCode.BAD_RESPONSE,
      cause: err,
    });
  }
  const errors = Array.isArray(payload?.errors) ? payload.errors : [];
  if (event === 'reset') return { type: 'reset', error: EventgraphError.fromResponse(errors) };
  if (event === 'error' || errors.length > 0) {
    const error = EventgraphError.fromResponse(
      errors.length ? errors : [{ message: 'the stream ended with an error' }],
      payload?.data,
    );
    endedByServer.add(error);
    throw error;
  }
  return { type: 'next', data: payload.data, id };
}

/** The response's text as it arrives; ends (or throws) when the connection does, or stays silent past `idleMs`. */
async function* chunksOf(response: StreamResponse, signal: AbortSignal, idleMs: number): AsyncGenerator<string> {
  const reader = response.body?.getReader?.();
  if (!reader) {
    yield await response.text();
    return;
  }
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => void reader.cancel?.().catch(() => {});
  signal.addEventListener('abort', stop);
  try {
    for (;;) {
      const silence = new Promise<'idle'>((resolve) => {
        timer = setTimeout(() => resolve('idle'), idleMs);
      });
      const read = await Promise.race([reader.read(), silence]);
      clearTimeout(timer);
      if (read === 'idle')
        throw new EventgraphError(`no data from the stream for ${idleMs} ms`, { code: ClientErrorCode.TIMEOUT });
      if (read.done) break;
      yield decoder.decode(read.value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** The refusal an HTTP answer other than a stream means, as an EventgraphError with its status and Retry-After. */
export async function streamRefusal(response: StreamResponse, url: string): Promise<EventgraphError> {
  const text = await response.text().catch(() => '');
  const retryAfter = response.headers?.get('retry-after');
  const retryAfterMs = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isObject(body) && Array.isArray(body.errors) && body.errors.length > 0)
    return EventgraphError.fromResponse(body.errors as EventgraphGraphQLError[], undefined, response.status, retryAfterMs);
  return new EventgraphError(`HTTP ${response.status} from ${url} is not an event stream: ${text.slice(0, 200)}`, {
    code: RETRYABLE_STATUSES.has(response.status) ? ClientErrorCode.NETWORK_ERROR : ClientErrorCode.BAD_RESPONSE,
    status: response.status,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

const networkError = (url: string, err: unknown) =>
  new EventgraphError(`the event stream ${url} failed: ${messageOf(err)}`, { code: ClientErrorCode.NETWORK_ERROR, cause: err });

/** Waits `ms`, or less when `signal` aborts (the loop then ends). */
const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
