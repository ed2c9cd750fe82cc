import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { dropSchemas, openDatabase, type Database, type DatabaseLocation } from '@eventgraph/runtime';
import { PrismaClient } from '../../src/generated/prisma/client';

/**
 * The access database, migrated, for a test file: in memory on PGlite, or with DATABASE_URL in a schema of
 * its own on the PostgreSQL server (dropped afterwards). Opened in beforeAll, closed in afterAll.
 */
export function accessDatabase(options: { poolSize?: number } = {}): () => Database<PrismaClient> {
  const schema = `t${randomUUID().slice(0, 8)}_access`;
  const location: DatabaseLocation = process.env.DATABASE_URL
    ? { kind: 'server', url: process.env.DATABASE_URL, schema }
    : { kind: 'embedded', dataDir: 'memory' };
  let database: Database<PrismaClient> | undefined;
  beforeAll(async () => {
    database = await openDatabase({
      name: 'access',
      prismaDir: join(__dirname, '..', '..', 'prisma'),
      location,
      createClient: (adapter) => new PrismaClient({ adapter }),
      ...options,
    });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    if (location.kind === 'server') await dropSchemas(location.url, schema);
  });
  return () => {
    if (!database) throw new Error('the access database is opened in beforeAll');
    return database;
  };
}
