import { randomUUID } from 'node:crypto';
import { dropSchemas, openDatabase, type Database, type OpenDatabaseOptions, type PrismaLike } from '../../src/db';

type TestDatabaseOptions<Client> = Pick<OpenDatabaseOptions<Client>, 'name' | 'prismaDir' | 'createClient' | 'poolSize'>;

/**
 * A subgraph's database, migrated, for one test file: in memory on PGlite, or with DATABASE_URL in a schema of
 * its own on the PostgreSQL server (dropped afterwards). Opened in beforeAll, closed in afterAll; the returned
 * function gives it to the tests.
 */
export function testDatabase<Client extends PrismaLike>(options: TestDatabaseOptions<Client>): () => Database<Client> {
  const url = process.env.DATABASE_URL;
  const schema = `t${randomUUID().slice(0, 8)}_${options.name}`;
  let database: Database<Client> | undefined;
  beforeAll(async () => {
    database = await openDatabase({
      ...options,
      location: url ? { kind: 'server', url, schema } : { kind: 'embedded', dataDir: 'memory' },
    });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    if (url) await dropSchemas(url, schema);
  });
  return () => {
    if (!database) throw new Error(`the ${options.name} database is opened in beforeAll`);
    return database;
  };
}
