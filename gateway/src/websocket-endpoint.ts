import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { BusTransport, LoadShedder, Logger } from '@eventgraph/runtime';
import type { Authenticated, Authenticator } from './auth/authenticator';
import type { CallerDirectory } from './auth/caller-directory';
import { connectionRevalidator, watchCallerChanges, type ConnectionAuth } from './auth/live-revocation';
import { checkTrustedDocument } from './auth/trusted-documents';
import { mayCallFrom, mayUpgrade, requestOrigin, type OriginPolicy } from './cors';
import { persistedQueryNotFound, requestedHash, type DocumentManifest, type documentFinder } from './documents-by-hash';
import type { IncrementalDelivery } from './execution';
import { formattedPayloads } from './execution/deferred-payloads';
import { upstreamAuthFor, type GatewayContext } from './gateway-context';
import type { OperationLimits } from './limits';
import type { RateDecision } from './rate-limit';
import { mayExploreSchema, type IntrospectionPolicy } from './schema-exposure';
import type { SendBufferBound } from './subscriptions/bounded-ws-server';
import { ConnectionRegistry } from './subscriptions/connection-registry';
import type { SubscriptionEngine } from './subscriptions/engine';
import { serveGraphQLOverWebSocket } from './subscriptions/ws-adapter';

export interface WebSocketEndpointOptions {
  server: Server;
  path: string;
  engine: SubscriptionEngine;
  /** queries and mutations sent over the socket run through the same Apollo Server as HTTP */
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  callers: CallerDirectory;
  origins: OriginPolicy;
  published: DocumentManifest;
  findDocument: ReturnType<typeof documentFinder>;
  introspection: IntrospectionPolicy;
  principalSecret: string;
  limits?: Partial<OperationLimits>;
  takeToken(authenticated: Authenticated, address: string | undefined): Promise<RateDecision | undefined>;
  clientAddress(req: IncomingMessage): string | undefined;
  bus?: BusTransport;
  /** every open connection's caller is checked again this often (0: never) */
  revalidationMs: number;
  /** a connection holding more unsent bytes than this is cut off (4413 SLOW_SUBSCRIBER) */
  sendBuffer: SendBufferBound;
  /** the gateway's load bounds: past them an upgrade gets 503 and an operation on an open socket OVERLOADED */
  shedder: LoadShedder;
  /** formats errors of deferred payloads as Apollo Server formats the rest */
  formatError(error: GraphQLError): GraphQLFormattedError;
  logger: Logger;
}

/**
 * graphql-ws on the gateway's path: each connection authenticated at connection_init and kept current
 * (revocation, changed rights, expiry), each operation under the same rules as over HTTP — browser origin,
 * rate limit, documents by hash, trusted-documents mode, operation limits, schema exposure.
 */
export function serveWebSocketEndpoint(o: WebSocketEndpointOptions): { close(): Promise<void> } {
  const log = o.logger;
  const connectionAuth = (
    authenticated: Authenticated,
    { authorization, actingFor, clientAddress, origin }: Omit<ConnectionAuth, 'authenticated' | 'key' | 'headers'>,
  ): ConnectionAuth => ({
    ...upstreamAuthFor(authenticated.principal, randomUUID(), o.principalSecret, clientAddress),
    authenticated,
    authorization,
    actingFor,
    clientAddress,
    origin,
  });
  // open sockets follow their caller: re-checked on bus events about them, at expiry, and every 30 s
  const connections = new ConnectionRegistry<ConnectionAuth>({
    revalidate: connectionRevalidator({
      authenticator: o.authenticator,
      callers: o.callers,
      authFor: (authenticated, previous) => connectionAuth(authenticated, previous),
      mayCallFrom: (origin, authenticated) => mayCallFrom(o.origins, origin, authenticated),
    }),
    expiresAt: (auth) => auth.authenticated.expiresAt,
    intervalMs: o.revalidationMs,
    logger: log,
  });
  const stopWatching = o.bus ? watchCallerChanges(o.bus, connections, o.callers) : () => {};
  const callerOf = (auth: unknown) => (auth as ConnectionAuth).authenticated;

  const ws = serveGraphQLOverWebSocket({
    server: o.server,
    path: o.path,
    engine: o.engine,
    logger: log,
    connections,
    sendBuffer: o.sendBuffer,
    limits: o.limits,
    rateLimit: (auth, request) => o.takeToken(callerOf(auth), o.clientAddress(request)),
    exposesSchema: (auth) => mayExploreSchema(o.introspection, callerOf(auth).principal),
    callerKind: (auth) => callerOf(auth).principal.kind,
    checkDocument: (auth, source) => checkTrustedDocument(o.callers, callerOf(auth).trustedDocumentsOf, source, o.published),
    documentByHash: async (auth, extensions, query) => {
      const hash = requestedHash(query, extensions);
      if (!hash) return undefined;
      return (await o.findDocument(hash, callerOf(auth).partnerAppId)) ?? persistedQueryNotFound();
    },
    // browsers send their page's Origin with the upgrade; the credential comes later, in connection_init
    admitUpgrade: (request) => mayUpgrade(request, o.origins),
    overloaded: () => o.shedder.refuseNow()?.retryAfterSeconds,
    authenticate: async (params, request): Promise<ConnectionAuth> => {
      const given = params?.authorization ?? params?.Authorization;
      const authorization = typeof given === 'string' ? given : undefined;
      // the x-eventgraph-acting-for header's counterpart: a partner key acting for a user who granted it
      const actingFor = params?.actingFor === undefined ? undefined : String(params.actingFor);
      const address = o.clientAddress(request);
      const authenticated = await o.authenticator.authenticate(authorization, address, actingFor);
      const origin = requestOrigin(request);
      if (origin && !(await mayCallFrom(o.origins, origin, authenticated)))
        throw new Error(`a partner key used from ${origin}, which its app does not list`);
      return connectionAuth(authenticated, { authorization, actingFor, clientAddress: address, origin });
    },
    // queries and mutations over the socket: the same Apollo Server, plugins and formatting as HTTP; the text
    // as sent, so trusted documents match by their hash
    executeOperation: async ({ source, variables, operationName, upstreamAuth }) => {
      const { principal, trustedDocumentsOf, partnerAppId } = callerOf(upstreamAuth);
      // deferred fragments come as later `next` messages
      const incremental: IncrementalDelivery = {};
      const response = await o.apollo.executeOperation(
        { query: source, variables, operationName },
        { contextValue: { principal, trustedDocumentsOf, partnerAppId, requestId: randomUUID(), upstreamAuth, incremental } },
      );
      if (response.body.kind !== 'single') throw new Error('Apollo Server answered incrementally itself');
      const initial = response.body.singleResult;
      if (!incremental.later) return initial as never;
      const later = formattedPayloads(incremental.later, o.formatError);
      return (async function* () {
        yield { ...initial, hasNext: true };
        yield* later;
      })() as never;
    },
  });

  return {
    async close() {
      stopWatching();
      connections.stop();
      await ws.close();
    },
  };
}
