export { GraphQLRequestMetrics, type GraphQLRequestOutcome } from './graphql-requests';
export { LoadSheddingMetrics, type ShedReason } from './load-shedding';
export { boundedLabel, createMetricsRegistry, LATENCY_BUCKETS, sendMetrics, type MetricsRegistryOptions } from './registry';
export { BusConsumerMetrics, observeDatabase } from './service-health';
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
