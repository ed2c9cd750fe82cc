// npm run db:migrate — applies pending migrations of every subgraph to the
// configured database (PGlite under EVENTGRAPH_DATA_DIR, or DATABASE_URL).
import { databaseLocation, loadPlatformSettings } from '@eventgraph/runtime';
import { migrateAll } from './migrate';

async function main() {
  const applied = await migrateAll(databaseLocation(loadPlatformSettings()));
  for (const [name, names] of Object.entries(applied))
    console.log(`${name}: ${names.length ? `applied ${names.join(', ')}` : 'up to date'}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
