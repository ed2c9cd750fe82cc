import type { ExecutionResult } from 'graphql';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import { subgraphDataSource, type FetchContext } from '../data-sources';
import { asGraphQLError } from './errors';
import { toApolloLogger, type EngineLogger } from './logger';
import type { OperationPlanner, PreparedSubscription } from './operation-planner';
import type { UpstreamEvent } from './shared-upstream';
import type { UpstreamAuth } from './engine';

type GatewayRequestContext = Parameters<typeof executeQueryPlan>[2];
type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Resolves one upstream event into the client's result by reusing @apollo/gateway's `executeQueryPlan`.
 *
 * The gateway refuses Subscription plan nodes, so each event runs the plan `Sequence[primary, rest]`
 * where the primary fetch is answered from the event itself instead of the network. Everything else —
 * Flatten/Sequence/Parallel/Condition, `requires` representations, input/output rewrites, error path
 * hydration and shaping the result to the client's selection — is the gateway's own code.
 */
export class EventExecutor {
  private readonly dataSources: ServiceMap;
  private readonly apolloLogger: ReturnType<typeof toApolloLogger>;

  constructor(
    private readonly planner: OperationPlanner,
    subgraphUrl: (name: string) => string,
    logger: EngineLogger,
  ) {
    this.apolloLogger = toApolloLogger(logger);
    this.dataSources = Object.fromEntries(
      planner.subgraphNames.map((name) => [name, subgraphDataSource(name, subgraphUrl(name), logger)]),
    );
  }

  async execute(
    { planned, variables }: PreparedSubscription,
    event: UpstreamEvent,
    upstreamAuth: UpstreamAuth,
  ): Promise<ExecutionResult> {
    const { primary } = planned.node;
    const owner = this.dataSources[primary.serviceName];
    if (!owner) throw new Error(`No data source for subgraph "${primary.serviceName}"`);
    // cloned because the executor merges entity data into it and the event is shared by all operations
    const eventResponse: GatewayResponse = {
      data: structuredClone(event.data ?? null),
      errors: event.errors,
    };
    const serviceMap: ServiceMap = {
      ...this.dataSources,
      [primary.serviceName]: {
        process: (options) =>
          options.request.query === primary.operation ? Promise.resolve(eventResponse) : owner.process(options),
      },
    };
    const { operation } = planned.operationContext;
    const requestContext = {
      request: { variables, operationName: operation.name?.value },
      context: { upstreamAuth } satisfies FetchContext,
      logger: this.apolloLogger,
      metrics: {},
      schema: this.planner.apiSchema,
      operation,
      operationName: operation.name?.value ?? null,
    } as unknown as GatewayRequestContext; // executeQueryPlan only reads the fields set above

    const result = await executeQueryPlan(
      planned.perEventPlan,
      serviceMap,
      requestContext,
      planned.operationContext,
      this.planner.supergraphSchema,
      this.planner.federatedApiSchema,
    );
    return {
      data: result.data ?? null,
      ...(result.errors?.length ? { errors: result.errors.map(asGraphQLError) } : {}),
      ...(result.extensions ? { extensions: result.extensions } : {}),
    };
  }
}
