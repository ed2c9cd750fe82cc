// npm start — the whole platform on this machine: four subgraphs and the gateway.
import { loadGatewaySettings } from '@eventgraph/gateway/src/settings';
import { stopOnSignals } from '@eventgraph/runtime';
import { startPlatform } from './platform';

async function main() {
  const settings = loadGatewaySettings();
  const platform = await startPlatform({ settings, port: settings.PORT, host: settings.HOST, processMetrics: true });
  const storage = settings.DATABASE_URL
    ? 'PostgreSQL server (DATABASE_URL)'
    : `embedded PGlite in ${settings.EVENTGRAPH_DATA_DIR}`;
  console.log(`
Eventgraph is running (${storage}, ${settings.EVENTGRAPH_BUS} bus)
  GraphQL:        ${platform.gateway.url}
  Subscriptions:  ${platform.gateway.wsUrl}
  ${settings.EVENTGRAPH_DEV_TOKEN ? `Development credential:  Authorization: Bearer ${settings.EVENTGRAPH_DEV_TOKEN}` : 'Development credential: off'}
Stop with Ctrl+C.`);
  stopOnSignals(() => platform.stop(), { info: console.log, error: (o, m) => console.error(m, o) });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
