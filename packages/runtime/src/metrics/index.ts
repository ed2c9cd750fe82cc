export { GraphQLRequestMetrics, type GraphQLRequestOutcome } from './graphql-requests';
export { boundedLabel, createMetricsRegistry, LATENCY_BUCKETS, sendMetrics, type MetricsRegistryOptions } from './registry';
export { BusConsumerMetrics, observeDatabase } from './service-health';
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
