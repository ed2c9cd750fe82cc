import { startGateway, type RunningGateway } from '@eventgraph/gateway';
import type { CallerPolicies, RateLimiter } from '@eventgraph/gateway/src/rate-limit';
import type { IntrospectionPolicy } from '@eventgraph/gateway/src/schema-exposure';
import { rateLimiterFor } from '@eventgraph/gateway/src/settings';
import {
  busConfigOf,
  createBus,
  createLogger,
  runSubgraph,
  startTracing,
  type BusTransport,
  type DatabaseLocation,
  type PlatformSettings,
  type RunningSubgraph,
} from '@eventgraph/runtime';
import { composePlatform } from './compose';
import { SUBGRAPHS } from './subgraphs';

export interface PlatformOptions {
  settings: PlatformSettings & {
    EVENTGRAPH_DEV_TOKEN?: string;
    REDIS_URL?: string;
    EVENTGRAPH_INTROSPECTION?: IntrospectionPolicy;
    EVENTGRAPH_GRAPHIQL?: 'on' | 'off';
    EVENTGRAPH_WS_REVALIDATE_SECONDS?: number;
    EVENTGRAPH_TRUSTED_PROXY_HOPS?: number;
    EVENTGRAPH_CORS_ORIGINS?: string[];
    EVENTGRAPH_METRICS_TOKEN?: string;
  };
  /** the process's CPU, memory, event loop and GC on the gateway's /metrics (npm start; tests leave it off) */
  processMetrics?: boolean;
  /** gateway port (default 4000); subgraphs use their default ports unless `ephemeralPorts` */
  port?: number;
  host?: string;
  /** every server on a free port chosen by the OS (tests, benchmarks, seeding beside a running platform) */
  ephemeralPorts?: boolean;
  /** where each subgraph's data lives; default: the settings' database */
  database?: (subgraph: string) => DatabaseLocation;
  /** share a bus across platforms (tests), otherwise one is created from the settings */
  bus?: BusTransport;
  /** rate-limit buckets per kind of caller (benchmarks raise them) */
  callerPolicies?: CallerPolicies;
  /** the rate-limit store; by default Redis when REDIS_URL is set, else memory */
  rateLimiter?: RateLimiter;
  /** where the OTEL_* tracing variables are read (default process.env; tests pass their own) */
  env?: Record<string, string | undefined>;
}

export interface RunningPlatform {
  gateway: RunningGateway;
  subgraphs: Record<string, RunningSubgraph<unknown>>;
  bus: BusTransport;
  /** stops the gateway alone (clients find it unreachable); the returned function starts it again on the same port */
  stopGateway(): Promise<() => Promise<RunningGateway>>;
  stop(): Promise<void>;
}

/**
 * The whole platform in one process: the four subgraphs, then the gateway in
 * front of them with the supergraph composed from their schemas right now (so
 * it can never be stale).
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const { settings } = options;
  const log = createLogger('eventgraph', settings.LOG_LEVEL);
  const composition = composePlatform();
  if (!composition.ok) throw new Error(`the subgraphs do not compose:\n${composition.errors.join('\n')}`);

  const ownBus = !options.bus;
  const bus = options.bus ?? (await createBus(busConfigOf(settings), { logger: log }));
  // off, and free, unless the environment names an OTLP endpoint; this process runs every service (stopped with them: stopAll)
  const tracing = startTracing({ env: options.env ?? process.env });
  const subgraphs: Record<string, RunningSubgraph<unknown>> = {};
  // relays wait until every subgraph's consumers have joined the bus: after a restart, what a group of a
  // subgraph started later still owes must not be judged before that group is known
  let allJoined!: () => void;
  const relayStartsAfter = new Promise<void>((resolve) => (allJoined = resolve));
  const stopAll = async () => {
    await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
    if (ownBus) await bus.close();
    await tracing.shutdown();
  };
  try {
    for (const { definition, port } of SUBGRAPHS) {
      subgraphs[definition.name] = (await runSubgraph(definition as never, {
        settings,
        bus,
        port: options.ephemeralPorts ? 0 : port,
        host: options.host,
        logger: log.child({ service: definition.name }),
        database: options.database?.(definition.name),
        relayStartsAfter,
        // the gateway's /metrics has the process's CPU and memory; one process, one copy
        processMetrics: false,
      })) as RunningSubgraph<unknown>;
    }
    allJoined();
    const gatewayOptions: Parameters<typeof startGateway>[0] = {
      supergraphSdl: composition.supergraphSdl,
      port: options.ephemeralPorts ? 0 : (options.port ?? 4000),
      host: options.host,
      subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])),
      principalSecret: settings.EVENTGRAPH_PRINCIPAL_SECRET,
      jwtSecret: settings.EVENTGRAPH_JWT_SECRET,
      devToken: settings.EVENTGRAPH_DEV_TOKEN,
      metricsToken: settings.EVENTGRAPH_METRICS_TOKEN,
      processMetrics: options.processMetrics,
      trustedProxyHops: settings.EVENTGRAPH_TRUSTED_PROXY_HOPS,
      corsOrigins: settings.EVENTGRAPH_CORS_ORIGINS,
      introspection: settings.EVENTGRAPH_INTROSPECTION,
      graphiql: settings.EVENTGRAPH_GRAPHIQL === 'on',
      connectionRevalidationMs:
        settings.EVENTGRAPH_WS_REVALIDATE_SECONDS === undefined ? undefined : settings.EVENTGRAPH_WS_REVALIDATE_SECONDS * 1000,
      rateLimiter: options.rateLimiter ?? rateLimiterFor(settings),
      sseReplayRedis: settings.REDIS_URL ? { url: settings.REDIS_URL } : undefined,
      callerPolicies: options.callerPolicies,
      bus,
      logger: log.child({ service: 'gateway' }),
    };
    const running: RunningPlatform = {
      gateway: await startGateway(gatewayOptions),
      subgraphs,
      bus,
      async stopGateway() {
        const { port } = running.gateway;
        await running.gateway.stop();
        return async () => {
          // the stopped gateway closed its rate-limit store: one of the platform's own is made anew
          const rateLimiter = options.rateLimiter ?? rateLimiterFor(settings);
          return (running.gateway = await startGateway({ ...gatewayOptions, port, rateLimiter }));
        };
      },
      async stop() {
        await running.gateway.stop();
        await stopAll();
      },
    };
    return running;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
