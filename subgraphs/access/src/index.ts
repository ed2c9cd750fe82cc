import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type AccessContext, type AccessDb, type AccessTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { projectEvents } from './known-events';
import { schema } from './schema';

/** access: gates, event series, wristbands and check-ins at the gates. */
export const accessSubgraph: SubgraphDefinition<AccessDb, AccessTx, AccessContext> = {
  name: 'access',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  consumers: [projectEvents],
};
