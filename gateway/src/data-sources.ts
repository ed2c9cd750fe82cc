import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ErrorCode } from './subscriptions/errors';
import type { UpstreamAuth } from './subscriptions/engine';
import type { EngineLogger } from './subscriptions/logger';
import { subgraphFetcher } from './subgraph-fetcher';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** What data sources receive as `context`: the caller's credentials, forwarded to every subgraph fetch. */
export interface FetchContext {
  upstreamAuth: UpstreamAuth;
}

/** The data source for one subgraph, shared by HTTP operations and subscription events. */
export const subgraphDataSource = (name: string, url: string, logger: EngineLogger): GraphQLDataSource =>
  new SoftFailingDataSource(name, new AuthForwardingDataSource({ url, fetcher: subgraphFetcher }), logger);

/** Sends the caller's upstreamAuth as HTTP headers on every entity fetch. */
export class AuthForwardingDataSource extends RemoteGraphQLDataSource<Partial<FetchContext>> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Partial<FetchContext>>): void {
    const auth: Record<string, string> = context.upstreamAuth?.headers() ?? {};
    for (const [name, value] of Object.entries(auth)) request.http?.headers.set(name, value);
  }
}

/**
 * A failing subgraph must only cost the fields it serves. The gateway's executor turns a thrown fetch
 * error into a path-less error; answering with one GraphQL error per representation instead lets it
 * hydrate `_entities.<i>` into the concrete response paths of the affected entities.
 */
export class SoftFailingDataSource implements GraphQLDataSource {
  constructor(
    private readonly name: string,
    private readonly inner: GraphQLDataSource,
    private readonly logger: EngineLogger,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions): Promise<GatewayResponse> {
    try {
      return await this.inner.process(options);
    } catch (err) {
      const rejected = (err as { extensions?: { response?: { body?: { errors?: unknown } } } }).extensions?.response?.body
        ?.errors;
      // a subgraph that refused the request (HTTP 4xx) said why in GraphQL errors already made safe for clients
      if (Array.isArray(rejected) && rejected.length > 0) return { errors: rejected as GraphQLFormattedError[] };
      const representations: unknown = options.request.variables?.representations;
      const paths = Array.isArray(representations) ? representations.map((_, i) => ['_entities', i]) : [undefined];
      this.logger.warn({ subgraph: this.name, err: err instanceof Error ? err.message : String(err) }, 'subgraph request failed');
      // an HTTP status is safe to show; network errors would reveal internal addresses, so they stay in the log
      const answered = err instanceof GraphQLError;
      const code = answered
        ? ((err as { extensions?: { code?: unknown } }).extensions?.code ?? ErrorCode.SubrequestHttpError)
        : ErrorCode.SubgraphUnavailable;
      const message = answered
        ? `Request to subgraph "${this.name}" failed: ${err.message}`
        : `Subgraph "${this.name}" is unavailable`;
      return {
        errors: paths.map((path) => ({
          message,
          path,
          extensions: { code, serviceName: this.name },
        })),
      };
    }
  }
}
