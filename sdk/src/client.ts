import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { authorizationOf, credentialSource, type Credential } from './credentials';
import { isEventgraphError } from './errors';
import { clientClosed, postGraphQL, postIncremental, type FetchLike, type GraphQLRequestBody } from './http';
import { operationOf } from './operation';
import { retryDelay, sleep, type RateLimitRetryOptions } from './retry';
import { eventStreams, type EventStreams } from './sse/client-streams';
import {
  subscriptionSocket,
  typedSubscription,
  type ConnectionListener,
  type EventgraphSubscription,
  type ReconnectOptions,
  type SocketOptions,
} from './socket';

export interface EventgraphClientOptions {
  /** the GraphQL endpoint, e.g. http://localhost:4000/graphql */
  url: string;
  /** the graphql-ws endpoint; default: `url` with http(s) → ws(s) */
  wsUrl?: string;
  /** who the client acts as: a token, `apiKeyCredential(…)`, `deviceCredential(…)`, `userSession(…)`; none = anonymous */
  credential?: Credential;
  /**
   * a partner app's key acting for one of its users (their id), who let the app do so (`grantPartnerApp`): sent as
   * the `x-eventgraph-acting-for` header and the graphql-ws connection param `actingFor`
   */
  actingFor?: string;
  /** default: the global fetch */
  fetch?: FetchLike;
  /** a WebSocket constructor; default: the global WebSocket (browsers, Node ≥ 22). On Node 20 pass `ws`. */
  webSocketImpl?: unknown;
  /** extra HTTP headers for every request (not sent over the WebSocket, which cannot carry them from a browser) */
  headers?: Record<string, string>;
  /** an HTTP request that takes longer fails with code TIMEOUT; default 30 s, 0 = no limit */
  timeoutMs?: number;
  /**
   * RATE_LIMITED answers, and OVERLOADED ones of the whole request (HTTP 503), are retried after the
   * wait the server asks for (Retry-After), with exponential back-off and jitter when it names none.
   * Default: up to 3 retries, each wait at most 60 s; `false` = fail at once with the code
   * (`err.retryAfterMs` says how long to wait).
   */
  rateLimitRetry?: false | RateLimitRetryOptions;
  /**
   * Documents by hash: the SDK's own operations (and any document with `__meta__.hash`, as
   * GraphQL Code Generator's persisted documents emit) are sent as `extensions.persistedQuery`
   * without their text. 'hash-only': never the text, subscriptions included (for keys in
   * trusted-documents mode); true: requests go by hash and the text follows once if the server
   * does not know it (PERSISTED_QUERY_NOT_FOUND); subscriptions go as text. Default false: text.
   */
  persistedDocuments?: boolean | 'hash-only';
  /** reconnection of the subscription socket, and of event streams, after they drop (exponential back-off with jitter) */
  reconnect?: ReconnectOptions;
  /** an event stream that sends nothing for this long (the gateway's keep-alives come every 15 s) is reopened; default 45 s */
  streamIdleTimeoutMs?: number;
  /** @deprecated use `reconnect.attempts` */
  retryAttempts?: number;
  /** further graphql-ws options (keepAlive, lazyCloseTimeout, connectionAckWaitTimeout, on: { … }) */
  ws?: SocketOptions['ws'];
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

export interface EventgraphClient extends EventStreams {
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
   * Runs a query whose fragments may be `@defer`red over HTTP (multipart/mixed): yields the data
   * as it grows, first without the deferred fragments, then with each later part merged in. A server
   * that answers in one piece yields once. Throws EventgraphError like `request` (a later part's
   * errors with the data received so far); it does not retry.
   */
  requestIncremental<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: OperationArgs<NoInfer<TVariables>>
  ): AsyncGenerator<TData>;
  requestIncremental<TData = Record<string, any>>(
    document: string | UntypedDocumentNode,
    variables?: Variables,
    options?: RequestOptions,
  ): AsyncGenerator<TData>;
  /**
   * Starts a subscription over graphql-ws (the socket opens with the first one
   * and closes after the last; after a drop it reconnects and resubscribes).
   * Yields each event's data; ends with an EventgraphError when the server
   * answers with errors or the socket is lost for good.
   */
  subscribe<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: SubscribeArgs<NoInfer<TVariables>>
  ): EventgraphSubscription<TData>;
  subscribe<TData = Record<string, any>>(
    document: string | UntypedDocumentNode,
    variables?: Variables,
  ): EventgraphSubscription<TData>;
  /** Listens to the subscription socket: connecting, connected, closed, reconnecting. Returns the unsubscribe function. */
  onConnection(listener: ConnectionListener): () => void;
  /** Ends every subscription, closes the socket; later calls fail with CLIENT_CLOSED. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createEventgraphClient(options: EventgraphClientOptions): EventgraphClient {
  const { url } = options;
  const wsUrl = options.wsUrl ?? url.replace(/^http(s?):/i, 'ws$1:');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credential = credentialSource(options.credential);
  const rateLimitRetry = options.rateLimitRetry === false ? undefined : (options.rateLimitRetry ?? {});
  const doFetch: FetchLike =
    options.fetch ??
    ((input, init) => {
      // called through globalThis: a detached browser fetch throws "Illegal invocation"
      if (typeof globalThis.fetch !== 'function') throw new Error('no global fetch: pass `fetch` to createEventgraphClient');
      return globalThis.fetch(input, init);
    });
  /** aborts the HTTP requests in flight, and the waits between retries, when the client is closed */
  const closing = new AbortController();
  const live = new Set<EventgraphSubscription<unknown>>();
  const connectionListeners = new Set<ConnectionListener>();
  let socket: ReturnType<typeof subscriptionSocket> | undefined;

  const token = async () => (await credential.token()) ?? undefined;
  /** true when the credential could refresh after `rejected` was refused; a failed refresh leaves the refusal standing */
  const refreshAfter = async (rejected: string) => {
    if (!credential.refresh) return false;
    return credential.refresh(rejected).then(
      () => true,
      () => false,
    );
  };

  const reconnect = {
    attempts: options.reconnect?.attempts ?? options.retryAttempts ?? 5,
    baseDelayMs: options.reconnect?.baseDelayMs ?? 500,
    maxDelayMs: options.reconnect?.maxDelayMs ?? 30_000,
  };
  const streams = eventStreams({
    url,
    fetch: doFetch,
    headers: { ...options.headers, ...(options.actingFor ? { 'x-eventgraph-acting-for': options.actingFor } : {}) },
    token,
    authorization: authorizationOf,
    refreshAfter,
    persistedDocuments: options.persistedDocuments,
    timeoutMs,
    reconnect,
    idleTimeoutMs: options.streamIdleTimeoutMs ?? 45_000,
    closing: closing.signal,
  });

  function openSocket() {
    if (socket) return socket;
    const webSocketImpl = options.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket;
    if (!webSocketImpl)
      throw new Error('no global WebSocket: pass `webSocketImpl` (e.g. the `ws` package) to createEventgraphClient');
    socket = subscriptionSocket({
      wsUrl,
      webSocketImpl,
      ws: options.ws,
      reconnect,
      authorization: async () => {
        const value = await token();
        return value ? authorizationOf(value) : undefined;
      },
      actingFor: options.actingFor,
    });
    socket.onConnection((event) => connectionListeners.forEach((listener) => listener(event)));
    return socket;
  }

  async function request(document: string | DocumentNode, variables?: Variables, requestOptions: RequestOptions = {}) {
    const operation = operationOf(document);
    let sendText = !operation.hash || !options.persistedDocuments;
    let refreshed = false;
    let rateLimited = 0;
    for (;;) {
      const sent = await token();
      const headers: Record<string, string> = {
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
        ...(options.actingFor ? { 'x-eventgraph-acting-for': options.actingFor } : {}),
        ...requestOptions.headers,
        'content-type': 'application/json',
      };
      if (sent) headers.authorization = authorizationOf(sent);
      const body: GraphQLRequestBody = { variables: variables ?? {} };
      if (sendText) body.query = operation.query;
      if (operation.operationName) body.operationName = operation.operationName;
      if (operation.hash && options.persistedDocuments)
        body.extensions = { persistedQuery: { version: 1, sha256Hash: operation.hash } };
      try {
        return await postGraphQL({
          url,
          fetch: doFetch,
          headers,
          body,
          timeoutMs,
          closing: closing.signal,
          signal: requestOptions.signal,
        });
      } catch (err) {
        if (!isEventgraphError(err)) throw err;
        // the server does not know the hash: send the text too, once (unless the text must never leave)
        if (err.code === 'PERSISTED_QUERY_NOT_FOUND' && !sendText && options.persistedDocuments !== 'hash-only') {
          sendText = true;
          continue;
        }
        // an access token that stopped being valid in flight: one refresh and one more try
        if (err.code === 'UNAUTHENTICATED' && sent && !refreshed) {
          refreshed = true;
          if (await refreshAfter(sent)) continue;
        }
        // refused before anything ran, so safe to send again, mutations too; an OVERLOADED field in a 200 answer is not
        const refusedWhole = err.code === 'RATE_LIMITED' || (err.code === 'OVERLOADED' && err.status === 503);
        if (refusedWhole && rateLimitRetry) {
          const wait = retryDelay(rateLimited++, err.retryAfterMs, rateLimitRetry);
          if (wait !== undefined) {
            await sleep(wait, closing.signal, requestOptions.signal, clientClosed);
            continue;
          }
        }
        throw err;
      }
    }
  }

  async function* requestIncremental(
    document: string | DocumentNode,
    variables?: Variables,
    requestOptions: RequestOptions = {},
  ) {
    const { query, operationName } = operationOf(document);
    const sent = await token();
    const headers: Record<string, string> = {
      ...options.headers,
      ...(options.actingFor ? { 'x-eventgraph-acting-for': options.actingFor } : {}),
      ...requestOptions.headers,
      'content-type': 'application/json',
    };
    if (sent) headers.authorization = authorizationOf(sent);
    yield* postIncremental({
      url,
      fetch: doFetch,
      headers,
      body: { query, variables: variables ?? {}, ...(operationName ? { operationName } : {}) },
      timeoutMs,
      closing: closing.signal,
      signal: requestOptions.signal,
    });
  }

  function subscribe(document: string | DocumentNode, variables?: Variables): EventgraphSubscription<unknown> {
    if (closing.signal.aborted) return typedSubscription(undefined, wsUrl);
    const { query, operationName, hash } = operationOf(document);
    // hash-only: the gateway takes an empty query with extensions.persistedQuery over graphql-ws too
    const byHash = hash && options.persistedDocuments === 'hash-only';
    const source = openSocket().client.iterate<unknown>({
      query: byHash ? '' : query,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      ...(byHash ? { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } } : {}),
    }) as AsyncIterableIterator<ExecutionResult<unknown>>;
    const subscription = typedSubscription(source, wsUrl);
    live.add(subscription);
    const end = subscription.return.bind(subscription);
    subscription.return = () => {
      live.delete(subscription);
      return end();
    };
    return subscription;
  }

  return {
    request: request as EventgraphClient['request'],
    requestIncremental: requestIncremental as EventgraphClient['requestIncremental'],
    subscribe: subscribe as EventgraphClient['subscribe'],
    ...streams,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      await Promise.all([...live].map((subscription) => subscription.return()));
      await socket?.dispose();
    },
  };
}
