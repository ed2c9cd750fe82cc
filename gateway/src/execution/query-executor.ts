import { GraphQLError, getVariableValues, isAbstractType, type GraphQLSchema } from 'graphql';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type DeferNode, type QueryPlan } from '@apollo/query-planner';
import { LruCache } from '@eventgraph/runtime';
import type { EngineLogger as Logger } from '../subscriptions/logger';
import type { FetchContext } from '../gateway-context';
import { ErrorCode } from '../subscriptions/errors';
import type { SendToSubgraph, SubgraphRequest, SubgraphAnswer } from './entity-batcher';
import type { TypeMatcher } from './entity-data';
import { prepareOperation, type OperationSchemas, type PreparedOperation } from './prepared-operation';
import { withRequirementFields } from './requirement-fields';
import { executeIncrementally, executePrepared, type IncrementalDelivery } from './operation-execution';

/**
 * Sends a request to a subgraph with the caller's headers (signed once per client request). `fresh`: the answer
 * must be newer than the call (a subscription event's entities), so it never joins an identical query in flight.
 */
export type SubgraphTransport = (
  serviceName: string,
  request: SubgraphRequest,
  headers: Readonly<Record<string, string>>,
  options?: { fresh?: boolean },
) => Promise<SubgraphAnswer>;

export interface QueryExecutorOptions {
  supergraphSdl: string;
  transport: SubgraphTransport;
  logger: Logger;
  /** the supergraph already loaded (e.g. shared with the subscription engine) */
  supergraph?: LoadedSupergraph;
  /** plans and compiled result shapes kept (default 1,000 operations) */
  maxCachedOperations?: number;
}

/** The supergraph as the executor needs it, built once. */
export interface LoadedSupergraph extends OperationSchemas {
  readonly matches: TypeMatcher;
  readonly subgraphNames: readonly string[];
}

export function loadSupergraph(supergraphSdl: string, logger: Logger): LoadedSupergraph {
  // requirements with arguments get fields of their own, resolved back in each plan (requirement-fields.ts)
  const { supergraph: planned, ...requirementFields } = withRequirementFields(supergraphSdl);
  const supergraph = Supergraph.build(planned);
  const federatedApiSchema = supergraph.apiSchema();
  return {
    requirementFields,
    // clients may @defer (Apollo Router and Hive Gateway offer it too)
    apiSchema: federatedApiSchema.toGraphQLJSSchema({ includeDefer: true }),
    federatedApiSchema,
    planner: new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } }),
    logger,
    matches: typeMatcher(supergraph.schema.toGraphQLJSSchema()),
    subgraphNames: supergraph.subgraphs().names(),
  };
}

/** The plan's Defer node when it is the plan's root, once `@defer(if: $variable)` conditions are decided. */
function deferNodeOf(node: QueryPlan['node'], variables: Record<string, unknown>): DeferNode | undefined {
  while (node?.kind === 'Condition') node = variables[node.condition] === true ? node.ifClause : node.elseClause;
  return node?.kind === 'Defer' ? node : undefined;
}

/** `typename` is the condition or one of its subtypes, in the supergraph (where @interfaceObject types live). */
function typeMatcher(schema: GraphQLSchema): TypeMatcher {
  const answers = new Map<string, boolean>();
  return (typename, condition) => {
    if (typename === condition) return true;
    const key = `${typename}\n${condition}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      const type = schema.getType(typename);
      const abstract = schema.getType(condition);
      answer = !!type && !!abstract && isAbstractType(abstract) && schema.isSubType(abstract, type as never);
      answers.set(key, answer);
    }
    return answer;
  };
}

/**
 * Our own query-plan executor behind Apollo Server (its gateway interface): Apollo Server parses,
 * validates and runs the plugins; this plans (once per operation), fetches with the caller's
 * headers signed once per request, merges entity fetches that are ready together per subgraph,
 * and shapes the response from instructions compiled once per operation.
 */
export function createQueryExecutor(options: QueryExecutorOptions): GatewayInterface & { supergraph: LoadedSupergraph } {
  const supergraph = options.supergraph ?? loadSupergraph(options.supergraphSdl, options.logger);
  const prepared = new LruCache<string, PreparedOperation | GraphQLError>(
    options.maxCachedOperations ?? 1_000,
    Number.POSITIVE_INFINITY,
  );

  const executor: GatewayExecutor = async (request) => {
    const key = `${request.queryHash}\n${request.operationName ?? ''}`;
    let operation = prepared.get(key);
    if (!operation) {
      operation = prepareOperation(supergraph, request.document, request.operation);
      prepared.set(key, operation);
    }
    if (operation instanceof GraphQLError) return { errors: [operation] };

    const coerced = getVariableValues(
      supergraph.apiSchema,
      operation.operation.variableDefinitions ?? [],
      request.request.variables ?? {},
    );
    if (coerced.errors) {
      return {
        errors: coerced.errors.map((e) => new GraphQLError(e.message, { extensions: { code: ErrorCode.BadUserInput } })),
      };
    }
    const headers = (request.context as Partial<FetchContext>).upstreamAuth?.headers() ?? {};
    const send: SendToSubgraph = (serviceName, subgraphRequest) => options.transport(serviceName, subgraphRequest, headers);
    // a client that takes incremental delivery (multipart/mixed, graphql-ws) gets deferred fragments later
    const delivery = (request.context as { incremental?: IncrementalDelivery }).incremental;
    const deferring = delivery && deferNodeOf(operation.plan.node, coerced.coerced);
    if (deferring) return executeIncrementally(supergraph, operation, deferring, coerced.coerced, send, delivery);
    return executePrepared(supergraph, operation, coerced.coerced, send);
  };

  return {
    supergraph,
    load: async () => ({ schema: supergraph.apiSchema, executor }),
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: supergraph.apiSchema, coreSupergraphSdl: options.supergraphSdl });
      return () => {};
    },
    stop: async () => {},
  };
}
