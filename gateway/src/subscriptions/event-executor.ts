import type { ExecutionResult } from 'graphql';
import { executePrepared, type SubgraphTransport } from '../execution';
import type { OperationPlanner, PreparedSubscription } from './operation-planner';
import type { UpstreamEvent } from './shared-upstream';
import type { UpstreamAuth } from './engine';

/**
 * Resolves one upstream event into the client's result with the gateway's own plan executor: each
 * event runs the plan `Sequence[primary, rest]`, where the primary fetch is answered by the event
 * itself instead of the network, and is shaped to the client's selection like any query.
 */
export class EventExecutor {
  constructor(
    private readonly planner: OperationPlanner,
    private readonly transport: SubgraphTransport,
  ) {}

  async execute(
    { planned, variables }: PreparedSubscription,
    event: UpstreamEvent,
    upstreamAuth: UpstreamAuth,
  ): Promise<ExecutionResult> {
    // cloned because entity data is merged into it and the event is shared by all operations
    const answered = new Map([[planned.node.primary, { data: structuredClone(event.data ?? null), errors: event.errors }]]);
    const headers = upstreamAuth.headers();
    return executePrepared(
      this.planner.supergraph,
      planned.perEvent,
      variables,
      // an event's entities are read after it happened: never from a query already in flight
      (serviceName, request) => this.transport(serviceName, request, headers, { fresh: true }),
      answered,
    );
  }
}
