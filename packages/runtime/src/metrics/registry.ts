import type { ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /**
   * Process metrics (CPU, memory, event loop, GC). The platform runs every service in one process, so only one
   * of its registries should collect them (default true: a service started on its own is its own process).
   */
  processMetrics?: boolean;
}

/**
 * A Prometheus registry for one service. Never prom-client's global default registry: the platform runs the
 * gateway and every subgraph in one process, and each must answer its own `/metrics` with its own `service` label.
 */
export function createMetricsRegistry(service: string, options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Answers a `/metrics` scrape with the registry's text exposition. */
export async function sendMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  try {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } catch {
    // a collect callback failed (say the database went away mid-scrape): no partial exposition
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('metrics unavailable\n');
  }
}

/**
 * Keeps a label's values to a bounded set: client-chosen values (operation names) past `limit` distinct
 * ones, or not shaped like a GraphQL name, are counted as `other` so a caller cannot grow the series without end.
 */
export function boundedLabel(limit = 200): (value: string | undefined | null, fallback?: string) => string {
  const seen = new Set<string>();
  return (value, fallback = 'anonymous') => {
    if (!value) return fallback;
    if (seen.has(value)) return value;
    if (seen.size >= limit || !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(value)) return 'other';
    seen.add(value);
    return value;
  };
}

/** Latency buckets in seconds for every request and fetch histogram, so gateway and subgraph latencies line up. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
