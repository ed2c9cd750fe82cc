import { applyMigrations, openDriver, type DatabaseLocation } from '@eventgraph/runtime';
import { SUBGRAPHS } from './subgraphs';

/**
 * Applies every subgraph's pending migrations, one subgraph after the other, each over a connection of its own
 * that is closed afterwards (the schema engine's advisory lock goes with it). Returns what each applied.
 */
export async function migrateAll(location: DatabaseLocation): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const {
    definition: { name, prismaDir },
  } of SUBGRAPHS) {
    const driver = await openDriver(name, location, 1);
    try {
      applied[name] = await applyMigrations(driver.factory, prismaDir);
    } finally {
      await driver.close();
    }
  }
  return applied;
}
