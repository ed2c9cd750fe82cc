import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode } from 'graphql';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { ErrorCode, EventgraphError, type EventgraphGraphQLError } from './errors';

/**
 * Who the client acts as. A bare token is sent as `Bearer <token>`; a value
 * that already names its scheme (`Bearer …`, `ApiKey …`) is sent unchanged.
 * A function is called before every HTTP request and every (re)connection of
 * the subscription socket, so it can hand out a refreshed token; returning
 * null/undefined sends no credential (anonymous).
 */
export type Credential = string | CredentialProvider;
export type CredentialProvider = () => string | null | undefined | Promise<string | null | undefined>;

/** The part of the Fetch API the client uses: the global fetch of browsers, Node ≥ 18, Deno, Bun and React Native fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface EventgraphClientOptions {
  /** the GraphQL endpoint, e.g. http://localhost:4000/graphql */
  url: string;
  /** the graphql-ws endpoint; default: `url` with http(s) → ws(s) */
  wsUrl?: string;
  credential?: Credential;
  /** default: the global fetch */
  fetch?: FetchLike;
  /** a WebSocket constructor; default: the global WebSocket (browsers, Node ≥ 22). On Node 20 pass `ws`. */
  webSocketImpl?: unknown;
  /** extra HTTP headers for every request (not sent over the WebSocket, which cannot carry them from a browser) */
  headers?: Record<string, string>;
  /** an HTTP request that takes longer fails with code TIMEOUT; default 30 s, 0 = no limit */
  timeoutMs?: number;
  /** reconnection attempts of the subscription socket after it drops; default 5 (subscriptions resume, events in between are missed) */
  retryAttempts?: number;
  /** further graphql-ws options (keepAlive, lazyCloseTimeout, on: { connected, closed, … }) */
  ws?: Omit<WsClientOptions, 'url' | 'webSocketImpl' | 'connectionParams' | 'retryAttempts' | 'shouldRetry'>;
}

export interface RequestOptions {
  /** headers for this request only */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type Variables = Record<string, unknown>;

/**
 * A document without result types (e.g. from `graphql`'s parse). Typed
 * documents are excluded so that they always take the typed overloads, even
 * when a variable's value is `any`.
 */
export type UntypedDocumentNode = DocumentNode & { __apiType?: undefined };

/** Variables may be left out when the operation has none, or none that are required. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends V` is exactly "V has no required key"
export type OperationArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: RequestOptions]
  : [variables: TVariables, options?: RequestOptions];

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- as in OperationArgs
export type SubscribeArgs<TVariables> = {} extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/** A running subscription: iterate it with `for await`; `return()` (or leaving the loop) ends it. */
export interface EventgraphSubscription<TData> extends AsyncIterableIterator<TData> {
  return(): Promise<IteratorResult<TData, undefined>>;
  /** ends the subscription; pending and later `next()` calls report done */
  unsubscribe(): void;
}

export interface EventgraphClient {
  /** Runs a query or mutation over HTTP; throws EventgraphError when the response has errors. */
  request<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: OperationArgs<NoInfer<TVariables>>
  ): Promise<TData>;
  request<TData = Record<string, any>>(
    document: string | UntypedDocumentNode,
    variables?: Variables,
    options?: RequestOptions,
  ): Promise<TData>;
  /**
   * Starts a subscription over graphql-ws (the socket opens with the first one
   * and closes after the last). Yields each event's data; ends with an
   * EventgraphError when the server answers with errors or the socket fails.
   */
  subscribe<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: SubscribeArgs<NoInfer<TVariables>>
  ): EventgraphSubscription<TData>;
  subscribe<TData = Record<string, any>>(
    document: string | UntypedDocumentNode,
    variables?: Variables,
  ): EventgraphSubscription<TData>;
  /** Ends every subscription, closes the socket; later calls fail with CLIENT_CLOSED. */
  close(): Promise<void>;
}

interface GraphQLResponseBody {
  data?: unknown;
  errors?: EventgraphGraphQLError[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** graphql-ws: the server refused connection_init (our gateway does this for a credential it does not accept) */
const CLOSE_FORBIDDEN = 4403;
/** graphql-ws: the credential stopped being valid while connected (revoked, signed out, expired); the reason names why */
const CLOSE_UNAUTHORIZED = 4401;

export function createEventgraphClient(options: EventgraphClientOptions): EventgraphClient {
  const { url } = options;
  const wsUrl = options.wsUrl ?? url.replace(/^http(s?):/i, 'ws$1:');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch: FetchLike =
    options.fetch ??
    ((input, init) => {
      // called through globalThis: a detached browser fetch throws "Illegal invocation"
      if (typeof globalThis.fetch !== 'function') throw new Error('no global fetch: pass `fetch` to createEventgraphClient');
      return globalThis.fetch(input, init);
    });
  let ws: WsClient | undefined;
  let closed = false;
  /** aborts the HTTP requests in flight when the client is closed */
  const closing = new AbortController();
  const live = new Set<{ end(error?: EventgraphError): void }>();

  const authorization = async (): Promise<string | undefined> => {
    const { credential } = options;
    const token = typeof credential === 'function' ? await credential() : credential;
    if (!token) return undefined;
    return /^[A-Za-z][\w-]*\s+\S/.test(token) ? token : `Bearer ${token}`;
  };

  const clientClosed = () => new EventgraphError('the Eventgraph client is closed', { code: ErrorCode.CLIENT_CLOSED });

  function socket(): WsClient {
    if (ws) return ws;
    const webSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!webSocketImpl)
      throw new Error('no global WebSocket: pass `webSocketImpl` (e.g. the `ws` package) to createEventgraphClient');
    ws = createClient({
      ...options.ws,
      url: wsUrl,
      webSocketImpl,
      connectionParams: async () => {
        const value = await authorization();
        return value ? { authorization: value } : {};
      },
      retryAttempts: options.retryAttempts ?? 5,
      // a refused credential will be refused again; anything else that closed the socket may recover
      shouldRetry: (e) => isCloseEvent(e) && e.code !== CLOSE_FORBIDDEN && e.code !== CLOSE_UNAUTHORIZED,
    });
    return ws;
  }

  async function request(
    document: string | DocumentNode,
    variables?: Variables,
    requestOptions: RequestOptions = {},
  ): Promise<unknown> {
    if (closed) throw clientClosed();
    const { query, operationName } = operationOf(document);
    const headers: Record<string, string> = {
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      ...requestOptions.headers,
      'content-type': 'application/json',
    };
    const auth = await authorization();
    if (auth) headers.authorization = auth;

    // one signal for close(), the timeout and the caller's signal (no AbortSignal.any/timeout: not in every runtime yet)
    const abort = new AbortController();
    const outer = [closing.signal, requestOptions.signal].filter((s): s is AbortSignal => !!s);
    const onAbort = () => abort.abort();
    for (const s of outer) {
      if (s.aborted) abort.abort();
      else s.addEventListener('abort', onAbort);
    }
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            abort.abort();
          }, timeoutMs)
        : undefined;

    let status: number;
    let text: string;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables: variables ?? {}, ...(operationName ? { operationName } : {}) }),
        signal: abort.signal,
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      if (requestOptions.signal?.aborted) throw requestOptions.signal.reason ?? err;
      if (closing.signal.aborted) throw clientClosed();
      if (timedOut)
        throw new EventgraphError(`no answer from ${url} within ${timeoutMs} ms`, { code: ErrorCode.TIMEOUT, cause: err });
      throw new EventgraphError(`could not reach ${url}: ${messageOf(err)}`, { code: ErrorCode.NETWORK_ERROR, cause: err });
    } finally {
      clearTimeout(timer);
      for (const s of outer) s.removeEventListener('abort', onAbort);
    }

    let body: GraphQLResponseBody;
    try {
      body = JSON.parse(text) as GraphQLResponseBody;
    } catch (err) {
      throw new EventgraphError(`HTTP ${status} from ${url} is not a GraphQL response: ${text.slice(0, 200)}`, {
        code: ErrorCode.BAD_RESPONSE,
        status,
        cause: err,
      });
    }
    if (!isObject(body) || (!('data' in body) && !Array.isArray(body.errors))) {
      throw new EventgraphError(`HTTP ${status} from ${url} is not a GraphQL response`, { code: ErrorCode.BAD_RESPONSE, status });
    }
    if (body.errors?.length) throw EventgraphError.fromResponse(body.errors, body.data, status);
    if (body.data == null)
      throw new EventgraphError(`HTTP ${status} from ${url} has neither data nor errors`, {
        code: ErrorCode.BAD_RESPONSE,
        status,
      });
    return body.data;
  }

  function subscribe(document: string | DocumentNode, variables?: Variables): EventgraphSubscription<unknown> {
    const queue: unknown[] = [];
    const waiting: Array<(r: IteratorResult<unknown, undefined>) => void> = [];
    const failing: Array<(e: unknown) => void> = [];
    let done = false;
    let failure: EventgraphError | undefined;
    let dispose: (() => void) | undefined;

    const settle = () => {
      while (waiting.length && queue.length) {
        failing.shift();
        waiting.shift()!({ value: queue.shift(), done: false });
      }
      if (!done || queue.length) return;
      while (waiting.length) {
        const resolve = waiting.shift()!;
        const reject = failing.shift()!;
        if (failure) {
          reject(failure);
          failure = undefined; // reported once; after that the iterator is simply done
        } else resolve({ value: undefined, done: true });
      }
    };
    const handle = {
      end(error?: EventgraphError) {
        if (done) return;
        done = true;
        failure = error;
        live.delete(handle);
        dispose?.();
        settle();
      },
    };

    if (closed) handle.end(clientClosed());
    else {
      const { query, operationName } = operationOf(document);
      dispose = socket().subscribe<unknown>(
        { query, variables: variables ?? {}, ...(operationName ? { operationName } : {}) },
        {
          next: (result) => {
            if (done) return;
            if (result.errors?.length)
              return handle.end(EventgraphError.fromResponse(result.errors as EventgraphGraphQLError[], result.data));
            queue.push(result.data);
            settle();
          },
          error: (err) => handle.end(subscriptionError(err, wsUrl)),
          complete: () => handle.end(),
        },
      );
      if (!done) live.add(handle);
    }

    const iterator: EventgraphSubscription<unknown> = {
      next() {
        return new Promise((resolve, reject) => {
          waiting.push(resolve);
          failing.push(reject);
          settle();
        });
      },
      async return() {
        handle.end();
        queue.length = 0;
        failure = undefined;
        settle();
        return { value: undefined, done: true };
      },
      unsubscribe() {
        void iterator.return();
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    request: request as EventgraphClient['request'],
    subscribe: subscribe as EventgraphClient['subscribe'],
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      for (const subscription of [...live]) subscription.end();
      await ws?.dispose();
    },
  };
}

const printed = new WeakMap<DocumentNode, { query: string; operationName?: string }>();

function operationOf(document: string | DocumentNode): { query: string; operationName?: string } {
  if (typeof document === 'string') return { query: document };
  let op = printed.get(document);
  if (!op) {
    const name = getOperationAST(document)?.name?.value;
    op = name ? { query: print(document), operationName: name } : { query: print(document) };
    printed.set(document, op);
  }
  return op;
}

function subscriptionError(err: unknown, wsUrl: string): EventgraphError {
  if (Array.isArray(err)) return EventgraphError.fromResponse(err as EventgraphGraphQLError[]);
  if (isCloseEvent(err)) {
    if (err.code === CLOSE_FORBIDDEN)
      return new EventgraphError(`${wsUrl} refused the credential (${err.code} ${err.reason || 'Forbidden'})`, {
        code: ErrorCode.UNAUTHENTICATED,
        closeCode: err.code,
        cause: err,
      });
    if (err.code === CLOSE_UNAUTHORIZED)
      return new EventgraphError(`the credential is no longer valid (${err.reason || 'Unauthorized'}); sign in again`, {
        code: ErrorCode.UNAUTHENTICATED,
        errors: [
          {
            message: 'the credential is no longer valid; sign in again',
            extensions: { code: ErrorCode.UNAUTHENTICATED, ...(err.reason ? { reason: err.reason } : {}) },
          },
        ],
        closeCode: err.code,
        cause: err,
      });
    return new EventgraphError(`the subscription socket closed (${err.code}${err.reason ? ` ${err.reason}` : ''})`, {
      code: ErrorCode.CONNECTION_CLOSED,
      closeCode: err.code,
      cause: err,
    });
  }
  return new EventgraphError(`subscription connection to ${wsUrl} failed: ${messageOf(err)}`, {
    code: ErrorCode.NETWORK_ERROR,
    cause: err,
  });
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return isObject(value) && typeof value.code === 'number' && 'reason' in value;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

function messageOf(err: unknown): string {
  // duck-typed: errors from another realm (a fetch polyfill, a test VM) are not `instanceof Error` here
  if (!isObject(err)) return String(err);
  const own =
    typeof err.message === 'string' && err.message
      ? err.message
      : typeof err.type === 'string'
        ? `${err.type} event`
        : String(err);
  // Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`
  const cause = isObject(err.cause) ? (typeof err.cause.message === 'string' && err.cause.message) || err.cause.code : undefined;
  return typeof cause === 'string' && cause ? `${own}: ${cause}` : own;
}
