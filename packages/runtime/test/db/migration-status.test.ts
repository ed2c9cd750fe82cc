import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MemoryTransport } from '../../src/bus';
import { loadPlatformSettings } from '../../src/config';
import { applyMigrations, dropSchemas, openDriver, pendingMigrations, waitForMigrations } from '../../src/db';
import { runSubgraph } from '../../src/subgraph';
import { describeIfReachable, PG_URL } from '../bus/helpers';

const usersPrisma = join(__dirname, '..', '..', '..', '..', 'subgraphs', 'users', 'prisma');
const quiet = { info: () => undefined, warn: () => undefined };

describeIfReachable('PostgreSQL', PG_URL)('replicas that leave migrating to someone else', () => {
  const schema = `mig${randomBytes(4).toString('hex')}_users`;
  afterAll(() => dropSchemas(PG_URL, schema));

  it('see every migration pending in a schema that does not exist yet, and none once they are applied', async () => {
    const pending = await pendingMigrations(PG_URL, schema, usersPrisma);
    expect(pending.length).toBeGreaterThan(1);
    expect(pending[0]).toMatch(/_init$/);

    let waited = false;
    const waiting = waitForMigrations({ url: PG_URL, schema, prismaDir: usersPrisma, log: quiet, pollMs: 20 }).then(
      () => (waited = true),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(waited).toBe(false);

    const driver = await openDriver('users', { kind: 'server', url: PG_URL, schema }, 1);
    try {
      expect(await applyMigrations(driver.factory, usersPrisma)).toEqual(pending);
    } finally {
      await driver.close();
    }
    await waiting;
    expect(await pendingMigrations(PG_URL, schema, usersPrisma)).toEqual([]);
  }, 60_000);
});

it('refuses to wait for migrations on an embedded database, which only its own process can migrate', async () => {
  const settings = loadPlatformSettings({ EVENTGRAPH_MIGRATIONS: 'wait' });
  await expect(
    runSubgraph({ name: 'users', prismaDir: usersPrisma } as never, { settings, bus: new MemoryTransport(), port: 0 }),
  ).rejects.toThrow(/EVENTGRAPH_MIGRATIONS: wait needs DATABASE_URL/);
});
