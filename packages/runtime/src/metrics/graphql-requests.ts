import { Counter, Histogram, type Registry } from 'prom-client';
import { boundedLabel, LATENCY_BUCKETS } from './registry';

export interface GraphQLRequestOutcome {
  operationName: string | undefined;
  /** query, mutation, subscription; undefined when the document never parsed or validated */
  operationType: string | undefined;
  durationSeconds: number;
  /** `extensions.code` of each error in the response */
  errorCodes: string[];
}

/** Requests, errors by code and latency of a service's GraphQL operations, by operation name. */
export class GraphQLRequestMetrics {
  private readonly requests: Counter<'operation' | 'type'>;
  private readonly errors: Counter<'operation' | 'code'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly operation = boundedLabel();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'eventgraph_graphql_requests_total',
      help: 'GraphQL requests served, by operation name and type',
      labelNames: ['operation', 'type'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'eventgraph_graphql_errors_total',
      help: 'errors in GraphQL responses, by operation name and extensions.code',
      labelNames: ['operation', 'code'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'eventgraph_graphql_request_duration_seconds',
      help: 'time from receiving a GraphQL request to its response (the first payload when deferred)',
      labelNames: ['operation', 'type'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }

  record(outcome: GraphQLRequestOutcome): void {
    const operation = this.operation(outcome.operationName);
    const type = outcome.operationType ?? 'invalid';
    this.requests.inc({ operation, type });
    this.duration.observe({ operation, type }, outcome.durationSeconds);
    for (const code of outcome.errorCodes) this.errors.inc({ operation, code });
  }
}
