import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { httpTransport, loadSupergraph, type LoadedSupergraph, type SubgraphTransport } from '../execution';
import { EventExecutor } from './event-executor';
import { silentLogger, type EngineLogger } from './logger';
import { OperationPlanner } from './operation-planner';
import { ResultChannel, type SubscriptionStream } from './result-channel';
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
  /** `count` results went to a client */
  delivered(count?: number): void;
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
  /**
   * answer only once the owning subgraph has subscribed, or at the latest after this long: a refusal (FORBIDDEN,
   * NOT_FOUND, BAD_USER_INPUT from the subgraph, or an unreachable subgraph) is then returned as errors, like bad
   * input, instead of as the stream's only result (the SSE endpoint answers it with an HTTP status)
   */
  untilAcceptedMs?: number;
}

export interface SubscriptionEngine {
  /** validate against the API schema, plan, and return the client's stream of results (or a single ExecutionResult with errors for bad input) */
  subscribe(args: SubscribeArgs): Promise<SubscriptionStream<ExecutionResult> | ExecutionResult>;
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

    async subscribe({ document, variables, operationName, upstreamAuth, untilAcceptedMs }) {
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
      let stream: SubscriptionStream<ExecutionResult> = upstream.attach(operationKey, (event) =>
        executor.execute(prepared, event, upstreamAuth),
      );
      if (untilAcceptedMs !== undefined && !(await acceptedWithin(upstream, untilAcceptedMs))) {
        const ended = await endedStream(stream);
        if (!(ended instanceof ResultChannel)) return ended;
        stream = ended;
      }
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
function counted(stream: SubscriptionStream<ExecutionResult>, metrics: SubscriptionMetrics): SubscriptionStream<ExecutionResult> {
  metrics.subscriptionOpened();
  let open = true;
  const close = () => {
    if (open) metrics.subscriptionClosed();
    open = false;
  };
  const wrapped: SubscriptionStream<ExecutionResult> = {
    pushTo(receive) {
      stream.pushTo((results) => {
        metrics.delivered(results.length);
        receive(results);
      });
    },
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

/** Did the upstream accept the subscription? Past `ms` without a word it is taken as accepted (a subgraph that does not say). */
async function acceptedWithin(upstream: SharedUpstream, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)));
  try {
    return await Promise.race([upstream.accepted, waited]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The results of a stream whose upstream ended before accepting it: the refusal's errors when nothing but
 * errors came, else the results as a stream that has ended.
 */
async function endedStream(
  stream: SubscriptionStream<ExecutionResult>,
): Promise<ExecutionResult | ResultChannel<ExecutionResult>> {
  const results: ExecutionResult[] = [];
  for (let next = await stream.next(); !next.done; next = await stream.next()) results.push(next.value);
  const errors = results.flatMap((result) => result.errors ?? []);
  if (errors.length > 0 && results.every((result) => result.data == null)) return { errors };
  const replayed = new ResultChannel<ExecutionResult>(() => {});
  replayed.pushAll(results);
  replayed.end();
  return replayed;
}

function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}
