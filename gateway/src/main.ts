// The gateway as a program: serves any supergraph file it is given.
//   tsx gateway/src/main.ts --supergraph gateway/supergraph.graphql [--port 4000]
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createBus, createLogger, startTracing, stopOnSignals } from '@eventgraph/runtime';
import { startGateway } from './gateway';
import { loadGatewaySettings, rateLimiterFor, subgraphUrlOverrides } from './settings';

async function main() {
  const log = createLogger('gateway');
  // off unless OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set; this process runs the gateway alone
  const tracing = startTracing({ singleService: true });
  const { values } = parseArgs({ options: { supergraph: { type: 'string' }, port: { type: 'string' } } });
  try {
    const settings = loadGatewaySettings(values.port ? { ...process.env, PORT: values.port } : process.env);
    const supergraphPath = resolve(values.supergraph ?? resolve(__dirname, '..', 'supergraph.graphql'));
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
      bus: await createBus(settings.EVENTGRAPH_BUS === 'nats' ? { kind: 'nats', url: settings.NATS_URL } : { kind: 'memory' }, {
        logger: log,
      }),
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

void main();
