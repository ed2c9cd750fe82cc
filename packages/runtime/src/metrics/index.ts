export { boundedLabel, createMetricsRegistry, LATENCY_BUCKETS, sendMetrics, type MetricsRegistryOptions } from './registry';
export { Counter, Gauge, Histogram, type Registry } from 'prom-client';
