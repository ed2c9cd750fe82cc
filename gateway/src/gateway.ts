import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLFormattedError } from 'graphql';
import {
  closeGracefully,
  formatClientError,
  graphqlErrorBody,
  handleGraphQLRequest,
  listen,
  PRINCIPAL_HEADER,
  sendJson,
  signPrincipal,
  DomainError,
  ANONYMOUS,
  type BusTransport,
  type Logger,
  type Principal,
} from '@eventgraph/runtime';
import { createAuthenticator, type Authenticated } from './auth/authenticator';
import { CallerDirectory } from './auth/caller-directory';
import { CALENDAR_PREFIX, createCalendarRoutes } from './calendar-routes';
import { createImportRoutes, IMPORT_PREFIX } from './import-routes';
import { checkTrustedDocument, trustedDocumentsPlugin } from './auth/trusted-documents';
import { subgraphDataSource, type FetchContext } from './data-sources';
import { createSubscriptionEngine, type SubscriptionEngine, type UpstreamAuth } from './subscriptions/engine';
import { limitsParseOptions, operationLimitsPlugin, type OperationLimits } from './limits';
import { callerBucket, createRateLimiter, rateLimitHttpResponse, type CallerPolicies, type RateLimiter } from './rate-limit';
import { toApolloLogger } from './subscriptions/logger';
import { serveGraphQLOverWebSocket } from './subscriptions/ws-adapter';

export interface GatewayOptions {
  supergraphSdl: string;
  port: number;
  host?: string;
  /** replaces the routing URLs written in the supergraph, by subgraph name */
  subgraphUrls?: Record<string, string>;
  principalSecret: string;
  /** verifies user access tokens */
  jwtSecret: string;
  /** the development credential (`Authorization: Bearer <devToken>`); leave unset in production */
  devToken?: string;
  /** bus events evict cached callers at once (membership and credential changes) */
  bus?: BusTransport;
  limits?: Partial<OperationLimits>;
  /** per-caller token buckets; in memory unless given (e.g. Redis, shared by replicas) */
  rateLimiter?: RateLimiter;
  /** bucket sizes per kind of caller (API keys carry their own) */
  callerPolicies?: CallerPolicies;
  logger: Logger;
}

export interface RunningGateway {
  port: number;
  /** http URL of the GraphQL endpoint; the graphql-ws endpoint is the same path over ws:// */
  url: string;
  wsUrl: string;
  engine: SubscriptionEngine;
  stop(): Promise<void>;
}

interface GatewayContext extends FetchContext {
  principal: Principal;
  requestId: string;
  /** trusted-documents mode: the partner app whose registered operations alone may run */
  trustedDocumentsOf?: string;
}

/** What a graphql-ws connection carries from its connection_init to each of its operations. */
interface ConnectionAuth extends UpstreamAuth {
  authenticated: Authenticated;
}

const PATH = '/graphql';

/** Routing URLs by subgraph name: the supergraph's, unless overridden. */
export function subgraphUrls(supergraphSdl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const subgraphs = Supergraph.build(supergraphSdl).subgraphs();
  return Object.fromEntries(subgraphs.names().map((name) => [name, overrides[name] ?? subgraphs.get(name)!.url]));
}

/**
 * Signs the principal for each upstream request, so a long-lived subscription
 * never sends an expired signature; callers with the same principal may share
 * an upstream subscription.
 */
function upstreamAuthFor(principal: Principal, requestId: string, secret: string): UpstreamAuth {
  return {
    key: JSON.stringify(principal),
    headers: () => ({ [PRINCIPAL_HEADER]: signPrincipal(principal, secret), 'x-request-id': requestId }),
  };
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The gateway: @apollo/gateway behind Apollo Server over HTTP for queries and
 * mutations; the federated subscription engine over graphql-ws on the same path.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { logger: log, principalSecret } = options;
  const urls = subgraphUrls(options.supergraphSdl, options.subgraphUrls);
  const callers = new CallerDirectory(urls.users!, principalSecret, options.bus);
  const authenticator = createAuthenticator({ jwtSecret: options.jwtSecret, devToken: options.devToken, callers });
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    logger: toApolloLogger(log),
    buildService: ({ name }) => subgraphDataSource(name, urls[name]!, log),
  });
  // errors carrying a serviceName come from a subgraph, which already made them safe for clients
  const formatError = (formatted: GraphQLFormattedError, error: unknown) =>
    formatted.extensions?.serviceName
      ? formatted
      : formatClientError(formatted, error, (err) => log.error({ err }, 'unexpected gateway error'));
  const limiter = options.rateLimiter ?? createRateLimiter({ kind: 'memory' });
  // an API key's own limit wins over the default for its kind
  const takeToken = async ({ principal, requestsPerMinute }: Authenticated, address: string | undefined) => {
    const bucket = requestsPerMinute
      ? {
          key: `${principal.kind}:${principal.id}`,
          policy: { capacity: requestsPerMinute, refillPerSecond: requestsPerMinute / 60 },
        }
      : callerBucket(principal, address, options.callerPolicies);
    return bucket && limiter.take(bucket.key, bucket.policy);
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    parseOptions: limitsParseOptions(options.limits),
    plugins: [trustedDocumentsPlugin<GatewayContext>(callers), operationLimitsPlugin<GatewayContext>(options.limits)],
  });
  await apollo.start();
  const engine = createSubscriptionEngine({
    supergraphSdl: options.supergraphSdl,
    subgraphUrl: (name) => urls[name]!,
    logger: log,
  });

  const calendar = createCalendarRoutes({ eventsUrl: urls.events!, principalSecret, callers, logger: log });
  const imports = createImportRoutes({ accessUrl: urls.access!, principalSecret, logger: log });

  /** Answers with the refusal when the caller's bucket is empty; true when the request may go on. */
  const admitted = async (authenticated: Authenticated, req: IncomingMessage, res: ServerResponse) => {
    const decision = await takeToken(authenticated, req.socket.remoteAddress);
    if (!decision || decision.allowed) return true;
    const refusal = rateLimitHttpResponse(decision);
    sendJson(res, refusal.status, refusal.body, refusal.headers);
    return false;
  };

  /** The caller of an HTTP request, once authenticated and within their rate limit; otherwise answers the refusal. */
  const authenticateHttp = async (req: IncomingMessage, res: ServerResponse): Promise<Authenticated | undefined> => {
    let authenticated: Authenticated;
    try {
      authenticated = await authenticator.authenticate(header(req, 'authorization'));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      sendJson(res, 401, { errors: [{ message: err.message, extensions: err.extensions }] }, { 'www-authenticate': 'Bearer' });
      return undefined;
    }
    return (await admitted(authenticated, req, res)) ? authenticated : undefined;
  };

  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const authenticated = await authenticateHttp(req, res);
    if (!authenticated) return;
    const { principal, trustedDocumentsOf } = authenticated;
    const context = async (): Promise<GatewayContext> => ({
      principal,
      requestId,
      trustedDocumentsOf,
      upstreamAuth: upstreamAuthFor(principal, requestId, principalSecret),
    });
    await handleGraphQLRequest(apollo, req, res, context);
  };

  // feed readers send no credential: the anonymous bucket of the client's address applies
  const serveCalendar = async (req: IncomingMessage, res: ServerResponse, requestId: string, pathname: string) => {
    if (await admitted({ principal: ANONYMOUS }, req, res)) await calendar(req, res, pathname, requestId);
  };

  // keys in trusted-documents mode may run their registered operations only, so no imports either
  const serveImport = async (req: IncomingMessage, res: ServerResponse, requestId: string, pathname: string) => {
    const authenticated = await authenticateHttp(req, res);
    if (!authenticated) return;
    if (authenticated.trustedDocumentsOf)
      return sendJson(res, 403, graphqlErrorBody('this API key runs its registered operations only', 'UNTRUSTED_OPERATION'));
    await imports(req, res, pathname, authenticated.principal, requestId);
  };

  let ready = true;
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/health')
      return sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'stopping', service: 'gateway' });
    const route =
      pathname === PATH
        ? serveGraphQL
        : pathname.startsWith(CALENDAR_PREFIX)
          ? (rq: IncomingMessage, rs: ServerResponse, id: string) => serveCalendar(rq, rs, id, pathname)
          : pathname.startsWith(IMPORT_PREFIX)
            ? (rq: IncomingMessage, rs: ServerResponse, id: string) => serveImport(rq, rs, id, pathname)
            : undefined;
    if (!route) return sendJson(res, 404, graphqlErrorBody(`no route for ${pathname}`, 'NOT_FOUND'));
    const requestId = header(req, 'x-request-id') ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () =>
      log.debug(
        { requestId, path: pathname, status: res.statusCode, durationMs: Number(process.hrtime.bigint() - started) / 1e6 },
        'request finished',
      ),
    );
    route(req, res, requestId).catch((err) => {
      log.error({ err, requestId }, 'gateway request failed');
      if (!res.headersSent) sendJson(res, 500, graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    });
  });

  const ws = serveGraphQLOverWebSocket({
    server,
    path: PATH,
    engine,
    logger: log,
    limits: options.limits,
    rateLimit: (auth, request) => takeToken((auth as ConnectionAuth).authenticated, request.socket.remoteAddress),
    checkDocument: (auth, source) =>
      checkTrustedDocument(callers, (auth as ConnectionAuth).authenticated.trustedDocumentsOf, source),
    authenticate: async (params): Promise<ConnectionAuth> => {
      const authorization = params?.authorization ?? params?.Authorization;
      const authenticated = await authenticator.authenticate(typeof authorization === 'string' ? authorization : undefined);
      return { ...upstreamAuthFor(authenticated.principal, randomUUID(), principalSecret), authenticated };
    },
    executeOperation: async ({ document, variables, operationName, upstreamAuth }) => {
      const response = await apollo.executeOperation(
        { query: document, variables, operationName },
        {
          contextValue: {
            principal: (upstreamAuth as ConnectionAuth).authenticated.principal,
            trustedDocumentsOf: (upstreamAuth as ConnectionAuth).authenticated.trustedDocumentsOf,
            requestId: randomUUID(),
            upstreamAuth,
          },
        },
      );
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported over graphql-ws');
      return response.body.singleResult as never;
    },
  });

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  const shownHost = host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host;
  const url = `http://${shownHost}:${port}${PATH}`;
  log.info({ url }, 'gateway ready');

  let stopping: Promise<void> | undefined;
  return {
    port,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    engine,
    stop() {
      stopping ??= (async () => {
        ready = false;
        callers.close();
        await ws.close();
        await engine.close();
        await closeGracefully(server);
        await apollo.stop();
        await limiter.close();
      })();
      return stopping;
    },
  };
}
