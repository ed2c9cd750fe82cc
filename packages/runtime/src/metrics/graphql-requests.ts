import { Counter, Histogram, type Registry } from 'prom-client';
import { boundedLabel, LATENCY_BUCKETS } from './registry';

export interface GraphQLRequestOutcome {
  /** the kind of caller (anonymous, user, apiKey, device, service) */
  caller: string;
  operationName: string | undefined;
  /** query, mutation, subscription; undefined when the document never parsed or validated */
  operationType: string | undefined;
  durationSeconds: number;
  /** `extensions.code` of each error in the response */
  errorCodes: string[];
}

/** Requests and errors by operation name and caller kind, errors by code, and latency of a service's GraphQL operations. */
export class GraphQLRequestMetrics {
  private readonly requests: Counter<'operation' | 'type' | 'caller'>;
  private readonly errors: Counter<'operation' | 'code' | 'caller'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly operation = boundedLabel();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'eventgraph_graphql_requests_total',
      help: 'GraphQL requests served, by operation name and type and kind of caller',
      labelNames: ['operation', 'type', 'caller'],
      registers: [registry],
    });
    this.errors = new Counter({
      name: 'eventgraph_graphql_errors_total',
      help: 'errors in GraphQL responses, by operation name, extensions.code and kind of caller',
      labelNames: ['operation', 'code', 'caller'],
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
    const { caller } = outcome;
    const type = outcome.operationType ?? 'invalid';
    this.requests.inc({ operation, type, caller });
    // latency without the caller: operations × types × callers × buckets would be too many series
    this.duration.observe({ operation, type }, outcome.durationSeconds);
    for (const code of outcome.errorCodes) this.errors.inc({ operation, code, caller });
  }
}
