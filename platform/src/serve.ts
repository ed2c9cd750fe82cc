// One deployable by role — the program the container image runs (Dockerfile, docker-compose.yml, deploy/kubernetes):
//   tsx platform/src/serve.ts --role gateway|users|events|access|ingest|migrate
// Configured by the environment (PORT, HOST, DATABASE_URL, EVENTGRAPH_BUS=nats, NATS_URL, REDIS_URL,
// SUBGRAPH_URL_<NAME>, EVENTGRAPH_MIGRATIONS, the secrets): README "Running it as several processes".
// `migrate` applies every subgraph's pending migrations and exits; the others serve until SIGTERM.
import { parseArgs } from 'node:util';
import { databaseLocation, loadPlatformSettings, startFromEnvironment } from '@eventgraph/runtime';
import { DEFAULT_PORTS, isRole, ROLES, type Role } from './roles';

// each role loads only its own code: a replica of one subgraph never holds the other three in memory
const SUBGRAPH_DEFINITIONS = {
  users: async () => (await import('@eventgraph/subgraph-users')).usersSubgraph,
  events: async () => (await import('@eventgraph/subgraph-events')).eventsSubgraph,
  access: async () => (await import('@eventgraph/subgraph-access')).accessSubgraph,
  ingest: async () => (await import('@eventgraph/subgraph-ingest')).ingestSubgraph,
};

async function migrate(): Promise<void> {
  try {
    const { migrateAll } = await import('./migrate.js');
    const applied = await migrateAll(databaseLocation(loadPlatformSettings()));
    for (const [name, names] of Object.entries(applied))
      console.log(`${name}: ${names.length ? `applied ${names.join(', ')}` : 'up to date'}`);
    process.exit(0);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}

async function serve(role: Role): Promise<void> {
  if (role === 'migrate') return migrate();
  if (role === 'gateway') return (await import('@eventgraph/gateway')).runGatewayProgram();
  return startFromEnvironment((await SUBGRAPH_DEFINITIONS[role]()) as never, DEFAULT_PORTS[role]);
}

const { values } = parseArgs({ options: { role: { type: 'string' } } });
if (!isRole(values.role)) {
  console.error(`usage: serve.ts --role <${ROLES.join('|')}>`);
  process.exit(2);
}
void serve(values.role);
