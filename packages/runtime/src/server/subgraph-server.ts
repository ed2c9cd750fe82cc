import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { formatClientError } from '../errors';
import { GraphQLRequestMetrics, LoadSheddingMetrics, sendMetrics } from '../metrics';
import { traceHttpRequest } from '../telemetry';
import { guardTextArguments } from '../input-hygiene';
import type { Logger } from '../logger';
import { CLIENT_ADDRESS_HEADER, verifyClientAddress } from '../client-address';
import { PRINCIPAL_HEADER, PrincipalError, verifyPrincipal, type Principal } from '../principal';
import { graphqlErrorBody, handleGraphQLRequest, sendJson } from './apollo-http';
import { closeGracefully, listen } from './lifecycle';
import { LoadShedder, subgraphLoadSheddingFromEnv, type LoadSheddingSettings } from './load-shedder';
import { observabilityPlugin } from './observability-plugin';

/** What every subgraph resolver can rely on; subgraphs extend it with their database and loaders. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  log: Logger;
  /** the client's address as the gateway signed it (HTTP only); absent when unknown */
  clientAddress?: string;
}

type SubgraphServerRoute<C> = (req: IncomingMessage, res: ServerResponse, ctx: C) => Promise<void>;

export interface StartSubgraphOptions<C extends RequestContext> {
  name: string;
  schema: GraphQLSchema;
  port: number;
  host?: string;
  /** graphql path for HTTP and graphql-ws (default /graphql) */
  path?: string;
  principalSecret: string;
  logger: Logger;
  createContext(base: RequestContext): C | Promise<C>;
  /** readiness: can this subgraph serve requests right now (database reachable)? */
  isReady?(): Promise<boolean>;
  /** plain HTTP routes, keyed '<METHOD> <path>'; same principal check and context as GraphQL */
  routes?: Record<string, SubgraphServerRoute<C>>;
  /** served at `/metrics` (unauthenticated, like /health: subgraphs are reached only inside the deployment) */
  metrics?: Registry;
  /** runs after the last request has finished: close the database, the bus relay */
  onStopped?(): Promise<void>;
  /** requests past these bounds are answered 503 OVERLOADED at once; default: the environment's (EVENTGRAPH_SUBGRAPH_MAX_IN_FLIGHT, …) */
  loadShedding?: LoadSheddingSettings;
}

export interface RunningServer {
  name: string;
  port: number;
  url: string;
  stop(): Promise<void>;
}

const headerValue = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const ROUTE_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** A route's failure as JSON in the GraphQL error shape: domain errors as they are (422 unless a known code), the rest generic. */
function sendRouteError(res: ServerResponse, err: unknown, log: Logger): void {
  const raw = err instanceof GraphQLError ? err.toJSON() : { message: String(err) };
  const formatted = formatClientError(raw, err, (cause) => log.error({ err: cause }, 'route failed'));
  const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  const status = code === 'INTERNAL_SERVER_ERROR' ? 500 : (ROUTE_STATUS[code] ?? 422);
  const body = { errors: [{ message: formatted.message, extensions: formatted.extensions }] };
  // a streamed answer (NDJSON progress lines) has said 200 already: its last line carries the error instead
  if (res.headersSent)
    return void res.end(/ndjson/.test(String(res.getHeader('content-type'))) ? `${JSON.stringify(body)}\n` : undefined);
  sendJson(res, status, body, { connection: 'close' });
}

/**
 * Starts a subgraph: Apollo Server over HTTP and graphql-ws on the same port and
 * path, `/health` (alive) and `/ready` (database reachable). Every GraphQL
 * request must carry a principal signed by the gateway.
 */
export async function startSubgraphServer<C extends RequestContext>(options: StartSubgraphOptions<C>): Promise<RunningServer> {
  const { name, logger: log, principalSecret } = options;
  // one input rule for every subgraph: text PostgreSQL cannot store is refused before any resolver
  const schema = guardTextArguments(options.schema);
  const path = options.path ?? '/graphql';
  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
    formatClientError(formatted, error, (err) => log.error({ err }, 'unexpected error in resolver'));

  const apollo = new ApolloServer<C>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // the process stops the server itself, in order (stopOnSignals); Apollo's own SIGTERM handler would raise the
    // signal again once Apollo alone had stopped, ending the process before its consumers and database closed
    stopOnTerminationSignals: false,
    // traces are for Apollo's hosted studio, which Eventgraph does not report to
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      observabilityPlugin<C>(options.metrics && new GraphQLRequestMetrics(options.metrics)),
    ],
  });
  await apollo.start();
  const shedder = new LoadShedder(
    options.loadShedding ?? subgraphLoadSheddingFromEnv(),
    options.metrics && new LoadSheddingMetrics(options.metrics),
  );

  /** a GraphQL request or a route, after the principal check */
  const serve = (req: IncomingMessage, res: ServerResponse, route: SubgraphServerRoute<C> | undefined) => {
    const requestId = headerValue(req, 'x-request-id') ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    let principal: Principal;
    try {
      principal = verifyPrincipal(headerValue(req, PRINCIPAL_HEADER), principalSecret);
    } catch (err) {
      const message = err instanceof PrincipalError ? err.message : 'invalid principal';
      return sendJson(res, 401, graphqlErrorBody(message, 'UNAUTHENTICATED'));
    }
    const requestLog = log.child({ requestId });
    const started = process.hrtime.bigint();
    res.on('finish', () =>
      requestLog.debug(
        { status: res.statusCode, durationMs: Number(process.hrtime.bigint() - started) / 1e6 },
        'request finished',
      ),
    );
    const clientAddress = verifyClientAddress(headerValue(req, CLIENT_ADDRESS_HEADER), principalSecret);
    const context = async () => options.createContext({ principal, requestId, log: requestLog, clientAddress });
    const handled = route
      ? context().then((ctx) => route(req, res, ctx).catch((err) => sendRouteError(res, err, requestLog)))
      : handleGraphQLRequest(apollo, req, res, context);
    handled.catch((err) => {
      requestLog.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    });
  };

  let accepting = true;
  const httpServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok', service: name });
    if (url.pathname === '/ready') {
      const check = accepting ? (options.isReady?.() ?? Promise.resolve(true)) : Promise.resolve(false);
      void check.then((ready) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', service: name }));
      return;
    }
    if (url.pathname === '/metrics' && options.metrics) return void sendMetrics(options.metrics, res);
    const route = options.routes?.[`${req.method ?? 'GET'} ${url.pathname}`];
    if (url.pathname !== path && !route) return sendJson(res, 404, graphqlErrorBody(`no route for ${url.pathname}`, 'NOT_FOUND'));
    // before the principal check and the body: a shed request costs as little as possible
    if (!shedder.admit(res)) return;
    traceHttpRequest(name, req, res, url.pathname, () => serve(req, res, route));
  });

  const wsServer = new WebSocketServer({ noServer: true });
  httpServer.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path || !accepting) return socket.destroy();
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req));
  });
  type WsExtra = { principal?: Principal; requestId?: string };
  const wsCleanup = useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      onConnect: (ctx) => {
        try {
          ctx.extra.principal = verifyPrincipal(ctx.connectionParams?.[PRINCIPAL_HEADER] as string | undefined, principalSecret);
          ctx.extra.requestId = randomUUID();
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      context: (ctx) =>
        options.createContext({
          principal: ctx.extra.principal!,
          requestId: ctx.extra.requestId!,
          log: log.child({ requestId: ctx.extra.requestId }),
        }),
      // graphql-ws has no "subscribed" message: a ping naming the operation tells the gateway this one was
      // accepted (a refusal is a `next` with errors, then `complete`), so it can answer a refusal before streaming
      onOperation: (ctx, id, _payload, _args, result) => {
        if (Symbol.asyncIterator in result) ctx.extra.socket.send(JSON.stringify({ type: 'ping', payload: { subscribed: id } }));
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) } : result,
    },
    wsServer,
  );

  const port = await listen(httpServer, options.port, options.host ?? '127.0.0.1');
  const url = `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}${path}`;
  log.info({ url }, `${name} subgraph ready`);

  let stopping: Promise<void> | undefined;
  return {
    name,
    port,
    url,
    stop() {
      stopping ??= (async () => {
        accepting = false;
        await wsCleanup.dispose();
        await closeGracefully(httpServer);
        await apollo.stop();
        shedder.close();
        await options.onStopped?.();
        log.info(`${name} subgraph stopped`);
      })();
      return stopping;
    },
  };
}
