import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyMigrations, createMigration, openDriver } from '../src/db';

const usersPrisma = join(__dirname, '..', '..', '..', 'subgraphs', 'users', 'prisma');

describe('migrations in Prisma format, made and applied offline', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventgraph-migrations-'));
    await cp(usersPrisma, dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes nothing when the schema matches the migrations', async () => {
    expect(await createMigration(dir, 'nothing')).toBeNull();
  });

  it('creates a migration for a schema change and applies it once', async () => {
    const schemaPath = join(dir, 'schema.prisma');
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      schema.replace(/model User \{\n/, (line) => `${line}  locale String?\n`),
    );
    const created = await createMigration(dir, 'add locale', new Date('2027-01-02T03:04:05Z'));
    expect(created).toBe('20270102030405_add_locale');
    expect(await readFile(join(dir, 'migrations', created!, 'migration.sql'), 'utf8')).toContain('ADD COLUMN     "locale" TEXT');

    const driver = await openDriver('users', { kind: 'embedded', dataDir: 'memory' }, 1);
    try {
      const applied = await applyMigrations(driver.factory, dir);
      const names = (await readdir(join(dir, 'migrations'), { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      expect(applied).toEqual(names);
      expect(await applyMigrations(driver.factory, dir)).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});
