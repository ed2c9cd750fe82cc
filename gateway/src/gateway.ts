import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import {
  closeGracefully,
  formatClientError,
  graphqlErrorBody,
  handleGraphQLRequest,
  listen,
  observabilityPlugin,
  sendJson,
  createMetricsRegistry,
  LoadShedder,
  ANONYMOUS,
} from '@eventgraph/runtime';
import { createAuthenticator } from './auth/authenticator';
import { CallerDirectory } from './auth/caller-directory';
import { trustedDocumentsPlugin } from './auth/trusted-documents';
import { CALENDAR_PREFIX, createCalendarRoutes } from './calendar-routes';
import { clientAddressOf } from './client-address';
import { admitBrowserRequest, type OriginPolicy } from './cors';
import { documentFinder, documentsByHashPlugin, loadDocumentManifest, SDK_MANIFEST_PATH } from './documents-by-hash';
import { upstreamAuthFor, type GatewayContext } from './gateway-context';
import { createQueryExecutor, guardSettingsFromEnv, httpTransport, loadSupergraph, type IncrementalDelivery } from './execution';
import { GatewayMetrics } from './gateway-metrics';
import { httpCallers } from './http/http-callers';
import { createGatewayHttpServer, header, type RouteTable } from './http/http-server';
import { readinessCheck } from './readiness';
import { requestLogFields, requestLogPlugin } from './request-log';
import { formattedPayloads } from './execution/deferred-payloads';
import { createImportRoutes, IMPORT_PREFIX } from './import-routes';
import { createGraphiQL, isGraphiQLPath, ownOrigins } from './graphiql';
import { createIngestRoutes, INGEST_PREFIX } from './ingest-routes';
import { createUnsubscribeRoute, UNSUBSCRIBE_PATH } from './unsubscribe-route';
import { limitsParseOptions, operationLimitsFromEnv, operationLimitsPlugin, readCostDirectives } from './limits';
import { operationResolutionPlugin } from './operation-resolution';
import { overloadSettingsFromEnv } from './overload-settings';
import { createRateLimiter } from './rate-limit';
import { schemaExposurePlugin } from './schema-exposure';
import { createSubscriptionEngine } from './subscriptions/engine';
import { serveWebSocketEndpoint } from './websocket-endpoint';
import { serveServerSentEvents } from './sse/http-endpoint';
import { redisReplay } from './sse/redis-replay';
import { sseSettingsFromEnv } from './sse/settings';

import type { GatewayOptions, RunningGateway } from './gateway-options';

export type { GatewayOptions, RunningGateway };

const PATH = '/graphql';

/** Routing URLs by subgraph name: the supergraph's, unless overridden. */
export function subgraphUrls(supergraphSdl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const subgraphs = Supergraph.build(supergraphSdl).subgraphs();
  return Object.fromEntries(subgraphs.names().map((name) => [name, overrides[name] ?? subgraphs.get(name)!.url]));
}

/**
 * The gateway: Apollo Server with our query-plan executor over HTTP for queries and
 * mutations; the federated subscription engine over graphql-ws on the same path.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { logger: log, principalSecret } = options;
  const urls = subgraphUrls(options.supergraphSdl, options.subgraphUrls);
  // list sizes and weights from the supergraph's @listSize/@cost, which the API schema drops
  const limits = { costDirectives: readCostDirectives(options.supergraphSdl), ...(options.limits ?? operationLimitsFromEnv()) };
  const introspection = options.introspection ?? 'on';
  // one timeout for every request to a subgraph, caller lookups included
  const guard = options.subgraphGuard ?? guardSettingsFromEnv();
  const callers = new CallerDirectory(urls.users!, principalSecret, options.bus, guard.timeoutMs);
  const platformOrigins = new Set(options.corsOrigins ?? []);
  const origins: OriginPolicy = {
    platformOrigins,
    partnerOrigins: () => callers.partnerOrigins(),
  };
  const published = options.publishedDocuments ?? loadDocumentManifest(SDK_MANIFEST_PATH, log);
  const findDocument = documentFinder(callers, published);
  const clientAddress = (req: IncomingMessage) => clientAddressOf(req, options.trustedProxyHops);
  const limiter = options.rateLimiter ?? createRateLimiter({ kind: 'memory' });
  const http = httpCallers({ limiter, callerPolicies: options.callerPolicies, origins, clientAddress });
  const authenticator = createAuthenticator({
    jwtSecret: options.jwtSecret,
    devToken: options.devToken,
    callers,
    chargeAddress: http.chargeAddress,
  });
  // one supergraph, planner and subgraph transport for queries, mutations and subscription events
  const supergraph = loadSupergraph(options.supergraphSdl, log);
  const metrics = new GatewayMetrics(createMetricsRegistry('gateway', { processMetrics: options.processMetrics ?? false }));
  const overload = { ...overloadSettingsFromEnv(), ...options.overload };
  const shedder = new LoadShedder(overload.loadShedding, metrics.shedding);
  const transport = httpTransport({ urls, logger: log, guard, shareInflight: options.shareInflightQueries, ...metrics.fetches });
  const gateway = createQueryExecutor({ supergraphSdl: options.supergraphSdl, supergraph, transport, logger: log });
  // errors carrying a serviceName come from a subgraph, which already made them safe for clients
  const formatError = (formatted: GraphQLFormattedError, error: unknown) =>
    formatted.extensions?.serviceName
      ? formatted
      : formatClientError(formatted, error, (err) => log.error({ err }, 'unexpected gateway error'));
  const formatForClient = (error: GraphQLError) => formatError(error.toJSON(), error);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // the program stops the gateway itself (stopOnSignals): Apollo's own SIGTERM handler would end the process mid-stop
    stopOnTerminationSignals: false,
    parseOptions: limitsParseOptions(limits),
    plugins: [
      // Apollo's landing page loads Sandbox from a CDN: browsers get our own GraphiQL or nothing
      ApolloServerPluginLandingPageDisabled(),
      documentsByHashPlugin<GatewayContext>(findDocument, log),
      trustedDocumentsPlugin<GatewayContext>(callers, published),
      operationResolutionPlugin<GatewayContext>(),
      operationLimitsPlugin<GatewayContext>(limits),
      schemaExposurePlugin<GatewayContext>(introspection),
      requestLogPlugin<GatewayContext>(),
      observabilityPlugin<GatewayContext>(metrics.requests),
    ],
  });
  await apollo.start();
  const engine = createSubscriptionEngine({
    supergraphSdl: options.supergraphSdl,
    supergraph,
    transport,
    metrics,
    subgraphUrl: (name) => urls[name]!,
    logger: log,
  });

  const calendar = createCalendarRoutes({ eventsUrl: urls.events!, principalSecret, callers, logger: log });
  const imports = createImportRoutes({ accessUrl: urls.access!, principalSecret, logger: log });
  const unsubscribe = createUnsubscribeRoute({ usersUrl: urls.users!, principalSecret, logger: log });

  const { admitted, takeToken } = http;
  const authenticateHttp = (req: IncomingMessage, res: ServerResponse) => http.authenticate(authenticator, req, res);

  const serveGraphQL = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const authenticated = await authenticateHttp(req, res);
    if (!authenticated) return;
    const { principal, trustedDocumentsOf, partnerAppId } = authenticated;
    const requestLog = requestLogFields(res);
    // a client that reads multipart/mixed takes deferred fragments as later parts
    const incremental: IncrementalDelivery | undefined = header(req, 'accept')?.includes('multipart/mixed') ? {} : undefined;
    const context = async (): Promise<GatewayContext> => ({
      principal,
      requestId,
      trustedDocumentsOf,
      partnerAppId,
      upstreamAuth: upstreamAuthFor(principal, requestId, principalSecret, clientAddress(req)),
      incremental,
      requestLog,
    });
    await handleGraphQLRequest(
      apollo,
      req,
      res,
      context,
      () => incremental?.later && formattedPayloads(incremental.later, formatForClient),
    );
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

  // pushes are signed by the source's secret, not by a caller: anonymous bucket; uploads authenticate like imports
  const ingest = createIngestRoutes({
    ingestUrl: urls.ingest!,
    principalSecret,
    logger: log,
    authenticate: authenticateHttp,
    admitAnonymous: (req, res) => admitted({ principal: ANONYMOUS }, req, res),
  });

  const sseSettings = { ...sseSettingsFromEnv(), ...options.serverSentEvents };
  const sharedReplay =
    options.sseReplayRedis &&
    redisReplay({
      ...options.sseReplayRedis,
      limits: { maxEvents: sseSettings.replayEvents, maxBytes: sseSettings.replayBytes, maxAgeMs: sseSettings.replayMs },
      logger: log,
    });
  const sse = serveServerSentEvents({
    engine,
    checks: { callers, published, findDocument, introspection, limits },
    authenticate: authenticateHttp,
    authenticator,
    origins,
    principalSecret,
    clientAddress,
    bus: options.bus,
    revalidationMs: options.connectionRevalidationMs ?? 30_000,
    shedder,
    maxUnsentBytes: overload.maxSocketBufferBytes,
    onSlowSubscriber: metrics.slowSubscriberClosed,
    settings: sseSettings,
    sharedReplay,
    formatError: formatForClient,
    logger: log,
  });

  const graphiql = createGraphiQL({ enabled: options.graphiql ?? false, endpoint: PATH });
  const routes: RouteTable = [
    [sse.matches, sse.serve],
    [isGraphiQLPath(PATH), async (rq, rs, id, p) => void ((await graphiql(rq, rs, p)) || (await serveGraphQL(rq, rs, id)))],
    [(p) => p === PATH, (rq, rs, id) => serveGraphQL(rq, rs, id)],
    [(p) => p.startsWith(CALENDAR_PREFIX), serveCalendar],
    [(p) => p.startsWith(IMPORT_PREFIX), serveImport],
    [(p) => p.startsWith(INGEST_PREFIX), (rq, rs, id, p) => ingest(rq, rs, p, id)],
    // the link in notification mails: no credential, so the anonymous bucket of the client's address applies
    [
      (p) => p === UNSUBSCRIBE_PATH,
      async (rq, rs, id) => void ((await admitted({ principal: ANONYMOUS }, rq, rs)) && (await unsubscribe(rq, rs, id))),
    ],
  ];

  let ready = true;
  const server = createGatewayHttpServer({
    routes,
    alive: () => ready,
    readiness: readinessCheck(urls, transport.guards, () => !ready),
    metrics,
    metricsToken: options.metricsToken,
    admit: (req, res) => admitBrowserRequest(req, res, origins),
    shedder,
    logger: log,
  });

  const webSocket = serveWebSocketEndpoint({
    server,
    path: PATH,
    engine,
    apollo,
    authenticator,
    callers,
    origins,
    published,
    findDocument,
    introspection,
    principalSecret,
    limits,
    takeToken,
    clientAddress,
    bus: options.bus,
    revalidationMs: options.connectionRevalidationMs ?? 30_000,
    sendBuffer: { maxBytes: overload.maxSocketBufferBytes, onSlowSubscriber: metrics.slowSubscriberClosed },
    shedder,
    formatError: formatForClient,
    logger: log,
  });

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  if (options.graphiql) for (const origin of ownOrigins(host, port)) platformOrigins.add(origin);
  const shownHost = host === '0.0.0.0' || host === '127.0.0.1' ? 'localhost' : host;
  const url = `http://${shownHost}:${port}${PATH}`;
  log.info({ url }, 'gateway ready');

  let stopping: Promise<void> | undefined;
  return {
    port,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    engine,
    callerLookups: () => ({ users: callers.users.lookups, credentials: callers.credentials.lookups }),
    stop() {
      stopping ??= (async () => {
        ready = false;
        const closingSockets = webSocket.close();
        sse.close();
        callers.close();
        await closingSockets;
        await sharedReplay?.close();
        await engine.close();
        await closeGracefully(server);
        await apollo.stop();
        await limiter.close();
        shedder.close();
      })();
      return stopping;
    },
  };
}
