import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, type DocumentNode, type GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SubscriptionEngine, UpstreamAuth } from './engine';
import { parseAndCheckOperation, type OperationLimits } from '../limits';
import { rateLimitError, type RateDecision } from '../rate-limit';
import { ErrorCode, codedError } from './errors';
import { silentLogger, type EngineLogger } from './logger';

export interface WsOperationArgs {
  document: DocumentNode;
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
  executeOperation?(args: WsOperationArgs): Promise<ExecutionResult>;
  /** document size, depth, alias and cost limits, checked before anything is planned */
  limits?: Partial<OperationLimits>;
  /** asked once per operation; a refusal answers that operation with RATE_LIMITED */
  rateLimit?(auth: UpstreamAuth, request: IncomingMessage): Promise<RateDecision | undefined>;
  /** may this connection run this document at all (trusted-documents mode)? an error refuses it */
  checkDocument?(auth: UpstreamAuth, source: string): Promise<GraphQLError | undefined>;
  logger?: EngineLogger;
}

/** What onSubscribe hands to graphql-ws's execute/subscribe hooks through `contextValue`. */
type Prepared = { stream: AsyncGenerator<ExecutionResult> } | { operation: WsOperationArgs };

/** graphql-ws context `extra`: what 'graphql-ws/use/ws' provides plus the authenticated upstreamAuth. */
type Extra = {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  upstreamAuth?: UpstreamAuth;
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
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  const options: ServerOptions<Record<string, unknown>, Extra> = {
    schema: engine.apiSchema,
    onConnect: async (ctx) => {
      try {
        ctx.extra.upstreamAuth = await opts.authenticate(ctx.connectionParams, ctx.extra.request);
        return true;
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'graphql-ws connection refused');
        return false; // graphql-ws closes the socket with 4403 Forbidden
      }
    },
    // Parsing, validation and planning all happen here so bad input is answered with an `error`
    // message, as the protocol expects, rather than a `next` followed by `complete`.
    onSubscribe: async (ctx, _id, payload) => {
      const decision = await opts.rateLimit?.(ctx.extra.upstreamAuth!, ctx.extra.request);
      if (decision && !decision.allowed) return [rateLimitError(decision)];
      const refusal = await opts.checkDocument?.(ctx.extra.upstreamAuth!, payload.query);
      if (refusal) return [refusal];
      const checked = parseAndCheckOperation(engine.apiSchema, payload, opts.limits);
      if (checked.errors) return checked.errors;
      const document = checked.document;
      const operation: WsOperationArgs = {
        document,
        variables: payload.variables ?? undefined,
        operationName: payload.operationName ?? undefined,
        upstreamAuth: ctx.extra.upstreamAuth!,
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
        if (Symbol.asyncIterator in stream) return execArgs({ stream });
        if (stream.errors?.length) return stream.errors;
        throw new Error('engine returned neither a stream nor errors');
      } catch (err) {
        // answer this operation only; an escaping error would make graphql-ws close the whole socket
        logger.error({ err }, 'starting a subscription failed');
        return [codedError('Subscription could not be started', ErrorCode.InternalServerError)];
      }
    },
    // graphql-ws calls return() on the stream itself if the client already went away.
    subscribe: ({ contextValue }) => (contextValue as { stream: AsyncGenerator<ExecutionResult> }).stream,
    execute: ({ contextValue }) => executeOperation!((contextValue as { operation: WsOperationArgs }).operation),
  };
  const graphqlWs = useServer(options, wss);

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
