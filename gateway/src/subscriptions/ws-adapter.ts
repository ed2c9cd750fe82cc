import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { WebSocketServer } from 'ws';
import { overloadedBody, type PrincipalKind } from '@eventgraph/runtime';
import { useBoundedServer, type BoundedExtra, type SendBufferBound } from './bounded-ws-server';
import type { SubscriptionEngine, UpstreamAuth } from './engine';
import { parseAndCheckOperation, type OperationLimits } from '../limits';
import { rateLimitError, type RateDecision } from '../rate-limit';
import { ErrorCode, codedError } from './errors';
import type { ConnectionRegistry, LiveConnection } from './connection-registry';
import { silentLogger, type EngineLogger } from './logger';
import { nextMessagesFor, nextPayload } from './next-message';
import type { SubscriptionStream } from './result-channel';
import { withoutSuggestions } from '../schema-exposure';

export interface WsOperationArgs {
  document: DocumentNode;
  /** the operation's text as the client sent it (trusted documents are registered by the hash of their text) */
  source: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  upstreamAuth: UpstreamAuth;
}

export interface WsAdapterOptions {
  server: Server;
  /** URL path served, e.g. '/graphql'; upgrades for other paths are left to other listeners */
  path: string;
  engine: SubscriptionEngine;
  /** turns connection_init params into the upstreamAuth; throwing refuses the connection (4403 Forbidden) */
  authenticate(connectionParams: Record<string, unknown> | undefined, request: IncomingMessage): Promise<UpstreamAuth>;
  /** runs queries/mutations sent over the socket; without it only subscriptions are accepted */
  /** a single result, or several when the operation defers fragments (each sent as a `next`) */
  executeOperation?(args: WsOperationArgs): Promise<ExecutionResult | AsyncGenerator<ExecutionResult>>;
  /** document size, depth, alias and cost limits, checked before anything is planned */
  limits?: Partial<OperationLimits>;
  /** asked once per operation; a refusal answers that operation with RATE_LIMITED */
  rateLimit?(auth: UpstreamAuth, request: IncomingMessage): Promise<RateDecision | undefined>;
  /** may this upgrade go ahead at all (a browser page's Origin)? a refused one gets 403 and no socket */
  admitUpgrade?(request: IncomingMessage): Promise<boolean>;
  /**
   * the seconds to wait when the gateway is past its load bounds now, else undefined: an upgrade is then
   * answered 503 with Retry-After and no socket, an operation on an open socket with OVERLOADED
   */
  overloaded?(): number | undefined;
  /**
   * a subscribe message that names its document by hash (`query: ""`, `extensions.persistedQuery`): the text, or
   * the error to answer; undefined when the message carries its text
   */
  documentByHash?(
    auth: UpstreamAuth,
    extensions: Record<string, unknown> | undefined,
    query: string,
  ): Promise<string | GraphQLError | undefined>;
  /** may this connection run this document at all (trusted-documents mode)? an error refuses it */
  checkDocument?(auth: UpstreamAuth, source: string): Promise<GraphQLError | undefined>;
  /** may this connection see "Did you mean …?" hints in validation errors (introspection policy)? default: yes */
  exposesSchema?(auth: UpstreamAuth): boolean;
  /** the caller's kind, whose own operation limits apply (default: the limits for everyone) */
  callerKind?(auth: UpstreamAuth): PrincipalKind;
  /** keeps each connection's caller current while it is open (revocation, changed rights, expiry) */
  connections?: ConnectionRegistry<UpstreamAuth>;
  /** a connection holding more unsent bytes than this is closed with 4413 SLOW_SUBSCRIBER (default: no bound) */
  sendBuffer?: SendBufferBound;
  logger?: EngineLogger;
}

/**
 * What onSubscribe hands to graphql-ws's execute/subscribe hooks through `contextValue`: a subscription's
 * stream with the function that sends its results, or a query or mutation.
 */
type Prepared =
  | { stream: SubscriptionStream<ExecutionResult>; receive(results: readonly ExecutionResult[]): void }
  | { operation: WsOperationArgs };

/** graphql-ws context `extra`: the socket, request and bounded send, plus the authenticated upstreamAuth. */
type Extra = BoundedExtra & {
  upstreamAuth?: UpstreamAuth;
  connection?: LiveConnection<UpstreamAuth>;
};

/** After close(), sockets that ignore the close handshake are cut off after this long. */
const CLOSE_GRACE_MS = 1_000;

/** Serves graphql-ws (graphql-transport-ws protocol) for the subscription engine on an existing HTTP server. */
export function serveGraphQLOverWebSocket(opts: WsAdapterOptions): {
  close(): Promise<void>;
} {
  const { server, path, engine, executeOperation } = opts;
  const logger = opts.logger ?? silentLogger;
  const wss = new WebSocketServer({ noServer: true });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) return;
    const retryAfter = opts.overloaded?.();
    if (retryAfter !== undefined) {
      const body = JSON.stringify(overloadedBody(retryAfter));
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${retryAfter}\r\nContent-Type: application/json\r\n` +
          `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    (opts.admitUpgrade?.(request) ?? Promise.resolve(true)).then(
      (admitted) => {
        if (admitted) wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
        else socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
      (err: unknown) => {
        logger.error({ err }, 'checking a WebSocket upgrade failed');
        socket.destroy();
      },
    );
  };
  server.on('upgrade', onUpgrade);

  const options: ServerOptions<Record<string, unknown>, Extra> = {
    schema: engine.apiSchema,
    onConnect: async (ctx) => {
      try {
        ctx.extra.upstreamAuth = await opts.authenticate(ctx.connectionParams, ctx.extra.request);
        const { socket } = ctx.extra;
        ctx.extra.connection = opts.connections?.open(ctx.extra.upstreamAuth, (code, reason) => socket.close(code, reason));
        // gone while it was being authenticated: onClose has run already
        if (ctx.extra.connection && socket.readyState !== socket.OPEN) opts.connections?.forget(ctx.extra.connection);
        return true;
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'graphql-ws connection refused');
        return false; // graphql-ws closes the socket with 4403 Forbidden
      }
    },
    onClose: (ctx) => {
      if (ctx.extra.connection) opts.connections?.forget(ctx.extra.connection);
    },
    // Parsing, validation and planning all happen here so bad input is answered with an `error`
    // message, as the protocol expects, rather than a `next` followed by `complete`.
    onSubscribe: async (ctx, id, payload) => {
      const { connection } = ctx.extra;
      if (connection?.refusal) return [connection.refusal];
      // the caller as last authenticated (the registry replaces it when their rights change)
      const upstreamAuth = connection?.auth ?? ctx.extra.upstreamAuth!;
      const epoch = connection?.epoch ?? 0;
      const retryAfter = opts.overloaded?.();
      if (retryAfter !== undefined) return [overloadedError(retryAfter)];
      const decision = await opts.rateLimit?.(upstreamAuth, ctx.extra.request);
      if (decision && !decision.allowed) return [rateLimitError(decision)];
      const byHash = await opts.documentByHash?.(upstreamAuth, payload.extensions ?? undefined, payload.query);
      if (byHash !== undefined && typeof byHash !== 'string') return [byHash];
      if (byHash !== undefined) payload = { ...payload, query: byHash };
      const refusal = await opts.checkDocument?.(upstreamAuth, payload.query);
      if (refusal) return [refusal];
      // a caller who may not explore the schema gets no field-name hints from validation either
      const hinted = opts.exposesSchema?.(upstreamAuth) ?? true;
      const refuse = (errors: readonly GraphQLError[]) =>
        hinted ? errors : errors.map((e) => Object.assign(e, { message: withoutSuggestions(e.message) }));
      const checked = parseAndCheckOperation(engine.apiSchema, payload, opts.limits, opts.callerKind?.(upstreamAuth));
      if (checked.errors) return refuse(checked.errors);
      const document = checked.document;
      const operation: WsOperationArgs = {
        document,
        source: payload.query,
        variables: payload.variables ?? undefined,
        operationName: payload.operationName ?? undefined,
        upstreamAuth,
      };
      const execArgs = (prepared: Prepared): ExecutionArgs => ({
        schema: engine.apiSchema,
        document,
        variableValues: operation.variables,
        operationName: operation.operationName,
        contextValue: prepared,
      });

      const kind = getOperationAST(document, operation.operationName)?.operation;
      if (kind && kind !== 'subscription' && executeOperation) return execArgs({ operation });

      try {
        const stream = await engine.subscribe(operation);
        if (Symbol.asyncIterator in stream) {
          const message = nextMessagesFor(id);
          return execArgs({
            stream: connection ? opts.connections!.track(connection, stream, epoch) : stream,
            receive: (results) => ctx.extra.send(results.length === 1 ? message(results[0]!) : results.map(message)),
          });
        }
        if (stream.errors?.length) return refuse(stream.errors);
        throw new Error('engine returned neither a stream nor errors');
      } catch (err) {
        // answer this operation only; an escaping error would make graphql-ws close the whole socket
        logger.error({ err }, 'starting a subscription failed');
        return [codedError('Subscription could not be started', ErrorCode.InternalServerError)];
      }
    },
    // Queries and mutations come back from Apollo Server with their errors already formatted (plain objects);
    // graphql-ws would call toJSON() on each, so they are sent as they are (as subscription results are).
    onNext: (_ctx, _id, _payload, _args, result) => nextPayload(result),
    // A subscription's results are pushed straight to the socket, each payload serialised once for all its
    // subscribers (see nextMessagesFor): no promise chain and no serialisation per client per result. graphql-ws
    // still iterates the stream, whose next() settles when it ends, so it sends `complete` after the last result,
    // returns it when the client completes or leaves, and sends nothing for an id after that.
    subscribe: ({ contextValue }) => {
      const { stream, receive } = contextValue as Extract<Prepared, { stream: unknown }>;
      stream.pushTo(receive);
      return stream;
    },
    execute: ({ contextValue }) => executeOperation!((contextValue as { operation: WsOperationArgs }).operation),
  };
  const graphqlWs = useBoundedServer(options, wss, opts.sendBuffer ?? { maxBytes: 0 }, logger);

  return {
    async close() {
      server.off('upgrade', onUpgrade);
      const cutOff = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), CLOSE_GRACE_MS);
      try {
        await graphqlWs.dispose(); // closes every socket with 1001 Going Away, which ends their streams
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}

/** An operation refused on an open socket while the gateway is past its bounds: the HTTP answer's error. */
function overloadedError(retryAfterSeconds: number): GraphQLError {
  const [error] = overloadedBody(retryAfterSeconds).errors;
  return new GraphQLError(error!.message, { extensions: error!.extensions });
}
