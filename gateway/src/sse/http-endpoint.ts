import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import {
  ACTING_FOR_HEADER,
  sendJson,
  overloadedBody,
  type BusTransport,
  type LoadShedder,
  type Logger,
} from '@eventgraph/runtime';
import type { Authenticated, Authenticator } from '../auth/authenticator';
import { connectionRevalidator, watchCallerChanges, type ConnectionAuth } from '../auth/live-revocation';
import { mayCallFrom, requestOrigin, type OriginPolicy } from '../cors';
import { upstreamAuthFor } from '../gateway-context';
import { header, type Route } from '../http/http-server';
import { ConnectionRegistry } from '../subscriptions/connection-registry';
import type { SubscriptionEngine } from '../subscriptions/engine';
import { ErrorCode, codedError } from '../subscriptions/errors';
import { ResultChannel } from '../subscriptions/result-channel';
import { stableKey } from '../subscriptions/stable-key';
import { EVENT_STREAM_TYPE, SseCode, SseEvent, comment, errorsData, formatMessage } from './protocol';
import type { SharedReplay } from './redis-replay';
import type { ResumableStream, StreamReader } from './resumable-stream';
import type { SseSettings } from './settings';
import { StreamRegistry } from './stream-registry';
import { checkOperation, isStreamPath, requestedOperation, type OperationChecks } from './stream-request';

export interface SseEndpointOptions {
  engine: SubscriptionEngine;
  checks: Omit<OperationChecks, 'schema'>;
  /** the caller of an HTTP request (credential, browser origin, rate limit), or undefined once it answered the refusal */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<Authenticated | undefined>;
  /** to authenticate a stream's caller again while it reads (revocation, changed rights, expiry), as graphql-ws connections are */
  authenticator: Authenticator;
  origins: OriginPolicy;
  principalSecret: string;
  clientAddress(req: IncomingMessage): string | undefined;
  bus?: BusTransport;
  /** every open stream's caller is checked again this often (0: never) */
  revalidationMs: number;
  /** an event stream counts as a request in flight until it starts, then as a socket does */
  shedder: LoadShedder;
  /** a response holding more unsent bytes than this when a message is due is cut off (0: no bound) */
  maxUnsentBytes: number;
  onSlowSubscriber?(): void;
  settings: SseSettings;
  /** every stream's replay in Redis as well, so a client may resume on another replica (else per replica) */
  sharedReplay?: SharedReplay;
  formatError(error: GraphQLError): GraphQLFormattedError;
  logger: Logger;
}

export interface SseEndpoint {
  matches(pathname: string): boolean;
  serve: Route;
  /** running streams (read or lingering) */
  streamCount(): number;
  close(): void;
}

/** HTTP statuses of refusals before a stream starts, by `extensions.code`; anything else the client sent wrong is 400. */
const STATUS_BY_CODE: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNTRUSTED_OPERATION: 403,
  INTROSPECTION_DISABLED: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  INTERNAL_SERVER_ERROR: 500,
  QUERY_PLANNING_FAILED: 500,
  UPSTREAM_SUBSCRIPTION_FAILED: 502,
  SUBGRAPH_UNAVAILABLE: 503,
  OVERLOADED: 503,
  SUBGRAPH_TIMEOUT: 504,
};

/**
 * Server-sent events on the gateway: `GET /graphql/stream` (or POST) for any subscription and named streams
 * such as `GET /events/stream?organizationId=…`. A request meets the same rules as any operation (credential,
 * origin, rate limit, documents by hash, trusted documents, limits), then waits until the owning subgraph has
 * accepted the subscription, so a refusal is an HTTP status with `{ errors }`; after that it is a stream of
 * `next` events resumable with Last-Event-ID (see ResumableStream), ended like a graphql-ws subscription when
 * the caller's rights change.
 */
export function serveServerSentEvents(o: SseEndpointOptions): SseEndpoint {
  const log = o.logger;
  const checks: OperationChecks = { ...o.checks, schema: o.engine.apiSchema };
  const streams = new StreamRegistry(o.settings, o.sharedReplay);
  const connectionAuth = (authenticated: Authenticated, previous: Omit<ConnectionAuth, 'authenticated' | 'key' | 'headers'>) => ({
    ...upstreamAuthFor(authenticated.principal, randomUUID(), o.principalSecret, previous.clientAddress),
    ...previous,
    authenticated,
  });
  const connections = new ConnectionRegistry<ConnectionAuth>({
    revalidate: connectionRevalidator({
      authenticator: o.authenticator,
      callers: o.checks.callers,
      authFor: (authenticated, previous) => connectionAuth(authenticated, previous),
      mayCallFrom: (origin, authenticated) => mayCallFrom(o.origins, origin, authenticated),
    }),
    expiresAt: (auth) => auth.authenticated.expiresAt,
    intervalMs: o.revalidationMs,
    logger: log,
  });
  const stopWatching = o.bus ? watchCallerChanges(o.bus, connections, o.checks.callers) : () => {};
  let closing = false;

  const refuse = (res: ServerResponse, errors: readonly GraphQLError[]) => {
    // Apollo's way of naming a status (extensions.http) is for this answer, not its body
    const formatted = errors.map((error) => {
      const shown: GraphQLFormattedError = typeof error.toJSON === 'function' ? o.formatError(error) : error;
      const { http: _status, ...extensions } = shown.extensions ?? {};
      return { ...shown, extensions };
    });
    const first = errors[0]?.extensions ?? {};
    const code = String(first.code ?? '');
    const status = (first.http as { status?: number } | undefined)?.status ?? STATUS_BY_CODE[code] ?? 400;
    const retryAfter = first.retryAfterSeconds ?? (status === 503 ? 5 : undefined);
    sendJson(
      res,
      status,
      { errors: formatted },
      {
        ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
        ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
      },
    );
  };

  const serve: Route = async (req, res) => {
    if (closing) return sendJson(res, 503, overloadedBody(1), { 'retry-after': '1' });
    let gone = false;
    res.once('close', () => (gone = true));
    const authenticated = await o.authenticate(req, res);
    if (!authenticated) return;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requested = await requestedOperation(req, url, checks.schema);
    if (!('query' in requested)) return refuse(res, [requested]);
    const operation = await checkOperation(checks, authenticated, requested);
    if (!('document' in operation)) return refuse(res, operation);
    const auth = connectionAuth(authenticated, {
      authorization: header(req, 'authorization'),
      actingFor: header(req, ACTING_FOR_HEADER),
      clientAddress: o.clientAddress(req),
      origin: requestOrigin(req),
    });
    // one stream per caller (as subgraphs see them), operation and variables: what it replays was theirs to see
    const key = stableKey([auth.key, operation.source, operation.operationName ?? null, operation.variables ?? {}]);
    const opened = await streams.open(key, () =>
      o.engine.subscribe({ ...operation, upstreamAuth: auth, untilAcceptedMs: o.settings.acceptTimeoutMs }),
    );
    if (!('attach' in opened))
      return refuse(
        res,
        opened.errors?.length
          ? opened.errors
          : [codedError('the subscription ended before it started; try again', ErrorCode.SubgraphUnavailable)],
      );
    // gone while the subgraph was asked: the stream waits a while for it to come back
    if (gone) return;
    stream(req, res, opened, auth);
  };

  /** Streams `source` to the response until either ends; the caller's rights are watched meanwhile. */
  const stream = (req: IncomingMessage, res: ServerResponse, source: ResumableStream, auth: ConnectionAuth) => {
    let ended = false;
    const connection = connections.open(auth, () => finish());
    const guard = connections.track(connection, new ResultChannel(() => {}), connection.epoch);
    res.writeHead(200, {
      'content-type': `${EVENT_STREAM_TYPE}; charset=utf-8`,
      'cache-control': 'no-cache, no-transform',
      // nginx and similar proxies would otherwise hold events back to fill their buffers
      'x-accel-buffering': 'no',
    });
    o.shedder.release(res);
    const reader: StreamReader = {
      write(messages) {
        if (ended) return;
        // what the client has not read yet: past the bound it is cut off and resumes with Last-Event-ID
        if (o.maxUnsentBytes > 0 && res.writableLength > o.maxUnsentBytes) {
          log.warn({ unsentBytes: res.writableLength, code: SseCode.SlowSubscriber }, 'slow event-stream reader cut off');
          o.onSlowSubscriber?.();
          finish();
          return void res.destroy();
        }
        res.write(messages.length === 1 ? messages[0]! : messages.join(''));
      },
      end: () => finish(),
    };
    const keepAlive = setInterval(() => reader.write([comment('keep-alive')]), o.settings.keepAliveMs);
    keepAlive.unref();
    const finish = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      source.detach(reader);
      connections.forget(connection);
      void guard.return(undefined);
      res.end();
    };
    // rights lost or the credential refused: the reason, then the end (an EventSource reconnects, and is authorised anew)
    guard.pushTo(([last]) => {
      const errors = (last?.errors ?? []).map((error) => o.formatError(error));
      reader.write([formatMessage({ event: SseEvent.Error, data: errorsData(errors) })]);
      finish();
    });
    res.on('close', finish);
    if (!ended) source.attach(reader, header(req, 'last-event-id'));
  };

  return {
    matches: isStreamPath,
    serve,
    streamCount: () => streams.size,
    close() {
      closing = true;
      stopWatching();
      connections.stop();
      streams.close();
    },
  };
}
