import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type AccessContext, type AccessDb, type AccessTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { importRoutes } from './imports/routes';
import { projectEvents } from './known-events';
import { startScheduler } from './scheduler';
import { schema } from './schema';

/** access: gates, event series, wristbands and check-ins at the gates. */
export const accessSubgraph: SubgraphDefinition<AccessDb, AccessTx, AccessContext> = {
  name: 'access',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  // the scheduler moves series on as their check-in windows open and they end
  consumers: [projectEvents, (services) => startScheduler(services)],
  // streamed bulk imports, forwarded by the gateway's POST /imports/… routes
  routes: importRoutes,
};
