import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
// sdk-trace-node's own context manager (installed with it), set here through this package's API copy
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** What the standard OTEL_* environment variables say about traces; `undefined` when tracing is off. */
export interface TracingConfig {
  /** the OTLP/HTTP traces URL (…/v1/traces) */
  endpoint: string;
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME: names a process that runs one service; the platform's services keep their own names */
  serviceName?: string;
  sampler: Sampler;
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before export (default 5000 ms) */
  scheduleDelayMs: number;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the standard variables: on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is
 * set, off when neither is, or OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER=none.
 */
export function tracingConfig(env: Env = process.env): TracingConfig | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  if ((env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').every((e) => e.trim() !== 'otlp')) return undefined;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : '');
  if (!endpoint) return undefined;
  return {
    endpoint,
    headers: parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || undefined,
    sampler: samplerFrom(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
    scheduleDelayMs: Number(env.OTEL_BSP_SCHEDULE_DELAY) > 0 ? Number(env.OTEL_BSP_SCHEDULE_DELAY) : 5000,
  };
}

/** `key=value,key2=value2`, values URL-encoded (the OTLP exporter specification) */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0) headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

function samplerFrom(name = 'parentbased_always_on', arg?: string): Sampler {
  const ratio = Number(arg ?? 1);
  const ratioSampler = () => new TraceIdRatioBasedSampler(Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1);
  switch (name.trim().toLowerCase()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratioSampler();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratioSampler() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * One tracer provider per service: the platform runs the gateway and every subgraph in one process, and each
 * service's spans must carry its own `service.name` resource. The global tracer provider routes by tracer
 * name, so `trace.getTracer('gateway')` from the plain API is the gateway's; they share one context manager
 * and the W3C propagator.
 */
let active: { config: TracingConfig; providers: Map<string, NodeTracerProvider>; singleService: boolean } | undefined;

/** Tracing is on in this process: callers skip building spans at all when it is not (the zero-cost path). */
export const tracingEnabled = (): boolean => active !== undefined;

/** The tracer for a service's spans (the same as `trace.getTracer(service)`); a no-op tracer while tracing is off. */
export function tracerFor(service: string): Tracer {
  return active ? providerFor(active, service).getTracer(service) : trace.getTracer(service);
}

function providerFor(state: NonNullable<typeof active>, service: string): NodeTracerProvider {
  let provider = state.providers.get(service);
  if (!provider) {
    const { config } = state;
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: (state.singleService && config.serviceName) || service,
      }),
      sampler: config.sampler,
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: config.endpoint, headers: config.headers }), {
          scheduledDelayMillis: config.scheduleDelayMs,
        }),
      ],
    });
    state.providers.set(service, provider);
  }
  return provider;
}

export interface Tracing {
  /** exports what is still buffered; call before the process exits */
  flush(): Promise<void>;
  /** flushes, then turns tracing off for the process */
  shutdown(): Promise<void>;
}

/**
 * Turns tracing on for this process from the environment, or leaves it off (and costs nothing) when no OTLP
 * endpoint is configured. `singleService`: this process runs one service, so OTEL_SERVICE_NAME may rename it.
 */
export function startTracing(options: { env?: Env; singleService?: boolean } = {}): Tracing {
  const config = tracingConfig(options.env);
  if (!config || active) return { flush: async () => undefined, shutdown: async () => undefined };
  const state = { config, providers: new Map<string, NodeTracerProvider>(), singleService: options.singleService ?? false };
  active = state;
  // registered through the one API copy of this package (NodeTracerProvider.register() would use another copy
  // of @opentelemetry/api, whose registrations this copy refuses as a version mismatch)
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider({
    getTracer: (name, version, options) => providerFor(state, name).getTracer(name, version, options),
  });
  const flush = async () => void (await Promise.all([...state.providers.values()].map((p) => p.forceFlush())));
  return {
    flush,
    async shutdown() {
      if (active !== state) return;
      active = undefined;
      await Promise.all([...state.providers.values()].map((p) => p.shutdown()));
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
