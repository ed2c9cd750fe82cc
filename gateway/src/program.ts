// The gateway as a process of its own, configured by the environment: run by the gateway program (main.ts)
// and by the platform's role program (platform/src/serve.ts --role gateway).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { busConfigOf, createBus, createLogger, startTracing, stopOnSignals } from '@eventgraph/runtime';
import { startGateway } from './gateway';
import { loadGatewaySettings, rateLimiterFor, subgraphUrlOverrides } from './settings';

export const DEFAULT_SUPERGRAPH = resolve(__dirname, '..', 'supergraph.graphql');

export interface GatewayProgramOptions {
  /** the supergraph file (default gateway/supergraph.graphql) */
  supergraph?: string;
  /** overrides PORT */
  port?: string;
}

/** Starts the gateway, says its URL on stdout, stops on SIGINT/SIGTERM; a bad setting exits 1 naming it. */
export async function runGatewayProgram(options: GatewayProgramOptions = {}): Promise<void> {
  const log = createLogger('gateway');
  // off unless OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set; this process runs the gateway alone
  const tracing = startTracing({ singleService: true });
  try {
    const settings = loadGatewaySettings(options.port ? { ...process.env, PORT: options.port } : process.env);
    const supergraphPath = resolve(options.supergraph ?? DEFAULT_SUPERGRAPH);
    const supergraphSdl = await readFile(supergraphPath, 'utf8').catch(() => {
      throw new Error(`cannot read the supergraph file ${supergraphPath} (run npm run compose)`);
    });
    const gateway = await startGateway({
      supergraphSdl,
      port: settings.PORT,
      host: settings.HOST,
      subgraphUrls: subgraphUrlOverrides(),
      principalSecret: settings.EVENTGRAPH_PRINCIPAL_SECRET,
      jwtSecret: settings.EVENTGRAPH_JWT_SECRET,
      devToken: settings.EVENTGRAPH_DEV_TOKEN,
      metricsToken: settings.EVENTGRAPH_METRICS_TOKEN,
      processMetrics: true,
      trustedProxyHops: settings.EVENTGRAPH_TRUSTED_PROXY_HOPS,
      corsOrigins: settings.EVENTGRAPH_CORS_ORIGINS,
      introspection: settings.EVENTGRAPH_INTROSPECTION,
      graphiql: settings.EVENTGRAPH_GRAPHIQL === 'on',
      connectionRevalidationMs: settings.EVENTGRAPH_WS_REVALIDATE_SECONDS * 1000,
      rateLimiter: rateLimiterFor(settings),
      sseReplayRedis: settings.REDIS_URL ? { url: settings.REDIS_URL } : undefined,
      bus: await createBus(busConfigOf(settings), { logger: log }),
      logger: log,
    });
    console.log(`Eventgraph gateway: ${gateway.url}`);
    stopOnSignals(async () => {
      await gateway.stop();
      await tracing.shutdown();
    }, log);
  } catch (err) {
    log.fatal({ err }, 'gateway failed to start');
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
