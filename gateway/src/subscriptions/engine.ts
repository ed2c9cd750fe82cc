import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { httpTransport, loadSupergraph, type LoadedSupergraph, type SubgraphTransport } from '../execution';
import { EventExecutor } from './event-executor';
import { silentLogger, type EngineLogger } from './logger';
import { OperationPlanner } from './operation-planner';
import { SharedUpstream } from './shared-upstream';
import { stableKey } from './stable-key';

export interface SubscriptionEngineOptions {
  /** the composed supergraph SDL (join__ directives) */
  supergraphSdl: string;
  /** the supergraph already loaded by the gateway's query executor (shares its planner); loaded from the SDL otherwise */
  supergraph?: LoadedSupergraph;
  /** entity fetches for events; HTTP to `subgraphUrl` otherwise */
  transport?: SubgraphTransport;
  /** told when a client subscription opens and closes, and of each result delivered */
  metrics?: SubscriptionMetrics;
  /** http(s) URL of a subgraph's GraphQL endpoint; its graphql-ws endpoint is the same URL with ws(s):// */
  subgraphUrl(name: string): string;
  logger?: EngineLogger;
}

/**
 * The caller as subgraphs must see it. `headers()` runs for every upstream request, so signed
 * credentials stay fresh on long-lived subscriptions; `key` names the caller, and only callers with
 * the same key share an upstream subscription.
 */
export interface UpstreamAuth {
  key: string;
  headers(): Record<string, string>;
}

export interface SubscriptionMetrics {
  subscriptionOpened(): void;
  subscriptionClosed(): void;
  delivered(): void;
}

export const staticUpstreamAuth = (headers: Record<string, string>): UpstreamAuth => ({
  key: stableKey(headers),
  headers: () => headers,
});

export interface SubscribeArgs {
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** headers sent on every entity fetch, and the connection_init payload of the upstream subscription */
  upstreamAuth: UpstreamAuth;
}

export interface SubscriptionEngine {
  /** validate against the API schema, plan, and return an async iterator of results (or a single ExecutionResult with errors for bad input) */
  subscribe(args: SubscribeArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;
  readonly apiSchema: GraphQLSchema;
  /** number of open upstream subscriptions (for tests / metrics) */
  upstreamCount(): number;
  close(): Promise<void>;
}

/**
 * Federated subscriptions: the root field is subscribed to on its owning subgraph over graphql-ws, and
 * every event is completed with entity fetches to the other subgraphs (see EventExecutor).
 */
export function createSubscriptionEngine(opts: SubscriptionEngineOptions): SubscriptionEngine {
  const logger = opts.logger ?? silentLogger;
  const planner = new OperationPlanner(opts.supergraph ?? loadSupergraph(opts.supergraphSdl, logger));
  const transport =
    opts.transport ??
    httpTransport({
      urls: Object.fromEntries(planner.supergraph.subgraphNames.map((name) => [name, opts.subgraphUrl(name)])),
      logger,
    });
  const executor = new EventExecutor(planner, transport);
  const upstreams = new Map<string, SharedUpstream>();

  return {
    apiSchema: planner.apiSchema,

    async subscribe({ document, variables, operationName, upstreamAuth }) {
      const prepared = planner.prepare(document, variables, operationName);
      if (!('planned' in prepared)) return prepared;

      const { primary } = prepared.planned.node;
      const upstreamVariables = Object.fromEntries(
        (primary.variableUsages ?? [])
          .filter((name) => name in prepared.variables)
          .map((name) => [name, prepared.variables[name]]),
      );
      const upstreamKey = stableKey([primary.serviceName, primary.operation, upstreamVariables, upstreamAuth.key]);
      let upstream = upstreams.get(upstreamKey);
      if (!upstream) {
        const created = new SharedUpstream(
          {
            subgraph: primary.serviceName,
            url: toWebSocketUrl(opts.subgraphUrl(primary.serviceName)),
            query: primary.operation,
            operationName: primary.operationName,
            variables: upstreamVariables,
            auth: upstreamAuth,
          },
          () => {
            if (upstreams.get(upstreamKey) === created) upstreams.delete(upstreamKey);
          },
          logger,
        );
        upstreams.set(upstreamKey, created);
        created.open();
        upstream = created;
      }
      // the client operation (document + all its variables) decides the shape of each result
      const operationKey = stableKey([prepared.planned.key, prepared.variables]);
      const stream = upstream.attach(operationKey, (event) => executor.execute(prepared, event, upstreamAuth));
      return opts.metrics ? counted(stream, opts.metrics) : stream;
    },

    upstreamCount: () => upstreams.size,

    async close() {
      await Promise.all([...upstreams.values()].map((upstream) => upstream.close()));
    },
  };
}

/**
 * The client's stream, counted while open and per result. Not an async generator: graphql-ws calls
 * return() while a next() is pending, and a generator would queue it behind that next() instead of
 * ending the stream (and its share of the upstream) at once.
 */
function counted(stream: AsyncGenerator<ExecutionResult>, metrics: SubscriptionMetrics): AsyncGenerator<ExecutionResult> {
  metrics.subscriptionOpened();
  let open = true;
  const close = () => {
    if (open) metrics.subscriptionClosed();
    open = false;
  };
  const wrapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const result = await stream.next();
      if (result.done) close();
      else metrics.delivered();
      return result;
    },
    return(value) {
      close();
      return stream.return(value);
    },
    throw(err) {
      close();
      return stream.throw(err);
    },
    [Symbol.asyncIterator]: () => wrapped,
    [Symbol.asyncDispose]: async () => {
      close();
      await stream.return(undefined);
    },
  };
  return wrapped;
}

function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
