import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { operationOf } from '../operation';
import type { ReconnectOptions } from '../socket';
import { followEventStream } from './event-stream';
import { streamConnector, type ConnectorSettings, type StreamTarget } from './stream-connector';
import { typedEventStream, type EventgraphEventStream, type StreamOptions } from './typed-event-stream';

type Variables = Record<string, unknown>;
/** as the client's UntypedDocumentNode: typed documents always take the typed overload */
type UntypedDocumentNode = DocumentNode & { __apiType?: undefined };

/** Variables may be left out when the operation has none, or none that are required. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends V` is exactly "V has no required key"
export type StreamArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: StreamOptions]
  : [variables: TVariables, options?: StreamOptions];

/** A named stream's query parameters: the subscription field's arguments (repeat a name for a list). */
export type StreamParameters = Record<string, string | number | boolean | readonly (string | number | boolean)[]>;

/** Subscriptions as server-sent events, over plain HTTP (fetch): for where a WebSocket cannot go. */
export interface EventStreams {
  /**
   * Follows a subscription as server-sent events (`POST /graphql/stream`): yields each event's data like
   * `subscribe`, but over HTTP; after a drop it reconnects with Last-Event-ID and the gateway replays what
   * was missed (or says it cannot: `onReset`). Ends when the subscription completes, with an
   * EventgraphError when the gateway refuses it (its HTTP status in `status`) or ends it with `error`.
   */
  stream<TData, TVariables extends Variables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: StreamArgs<NoInfer<TVariables>>
  ): EventgraphEventStream<TData>;
  stream<TData = Record<string, any>>(
    document: string | UntypedDocumentNode,
    variables?: Variables,
    options?: StreamOptions,
  ): EventgraphEventStream<TData>;
  /**
   * Follows a named stream (`/events/stream`, `/venues/stream`): its parameters are the subscription
   * field's arguments, its data what that stream selects (docs/api.md, "Server-sent events").
   */
  streamNamed<TData = Record<string, any>>(
    path: `/${string}`,
    parameters?: StreamParameters,
    options?: StreamOptions,
  ): EventgraphEventStream<TData>;
}

export interface EventStreamSettings extends ConnectorSettings {
  /** the GraphQL endpoint; streams are beside it (`…/graphql/stream`, `…/events/stream`) */
  url: string;
  reconnect: Required<ReconnectOptions>;
  /** no byte for this long (keep-alives come every 15 s): reconnect */
  idleTimeoutMs: number;
  /** aborted by client.close() */
  closing: AbortSignal;
}

/** The client's `stream` and `streamNamed`, over its credential, fetch and reconnection settings. */
export function eventStreams(settings: EventStreamSettings): EventStreams {
  const open = (target: StreamTarget, options: StreamOptions = {}) =>
    typedEventStream(
      (signal, onPosition) =>
        followEventStream({
          url: target.url,
          connect: streamConnector(target, { ...settings, headers: { ...settings.headers, ...options.headers } }),
          reconnect: settings.reconnect,
          signal,
          lastEventId: options.lastEventId,
          idleTimeoutMs: settings.idleTimeoutMs,
          onConnection: options.onConnection,
          onPosition,
        }),
      options,
      settings.closing,
    );

  function stream(document: string | DocumentNode, variables?: Variables, options?: StreamOptions) {
    const { query, operationName, hash } = operationOf(document);
    return open(
      {
        url: new URL('graphql/stream', baseOf(settings.url)).href,
        method: 'POST',
        byHash: hash !== undefined,
        body: (sendText) =>
          JSON.stringify({
            ...(sendText ? { query } : {}),
            variables: variables ?? {},
            ...(operationName ? { operationName } : {}),
            ...(hash && settings.persistedDocuments ? { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } } : {}),
          }),
      },
      options,
    );
  }

  function streamNamed(path: `/${string}`, parameters: StreamParameters = {}, options?: StreamOptions) {
    const url = new URL(path.slice(1), baseOf(settings.url));
    for (const [name, value] of Object.entries(parameters))
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
    return open({ url: url.href, method: 'GET', byHash: false }, options);
  }

  return { stream: stream as EventStreams['stream'], streamNamed: streamNamed as EventStreams['streamNamed'] };
}

/** Where the streams are: the directory of the GraphQL endpoint (`http://host/api/graphql` → `http://host/api/`). */
const baseOf = (url: string) => new URL('.', url.replace(/\/+$/, ''));
