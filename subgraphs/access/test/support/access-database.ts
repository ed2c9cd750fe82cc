import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';
import { PrismaClient } from '../../src/generated/prisma/client';

/** The access database for a test file (see testDatabase): opened in beforeAll, closed in afterAll. */
export const accessDatabase = (options: { poolSize?: number } = {}): (() => Database<PrismaClient>) =>
  testDatabase({
    name: 'access',
    prismaDir: join(__dirname, '..', '..', 'prisma'),
    createClient: (adapter) => new PrismaClient({ adapter }),
    ...options,
  });
