// npm run db:migrate — applies pending migrations of every subgraph to the
// configured database (PGlite under EVENTGRAPH_DATA_DIR, or DATABASE_URL).
import { loadPlatformSettings } from '@eventgraph/runtime';
import { applyMigrations, databaseLocation, openDriver } from '@eventgraph/runtime';
import { SUBGRAPHS } from './subgraphs';

async function main() {
  const location = databaseLocation(loadPlatformSettings());
  for (const {
    definition: { name, prismaDir },
  } of SUBGRAPHS) {
    const driver = await openDriver(name, location, 1);
    try {
      const applied = await applyMigrations(driver.factory, prismaDir);
      console.log(`${name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    } finally {
      await driver.close();
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
