import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type AccessContext, type AccessDb, type AccessTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { importRoutes } from './imports/routes';
import { announceOccupancy } from './check-in/occupancy-announcements';
import { observeScanBatches } from './check-in/scan-batch';
import { projectEvents, projectVenues } from './known-events';
import { eraseDeletedUsers } from './privacy/erasure';
import { runAccessRetention } from './privacy/retention';
import { startScheduler } from './scheduler';
import { schema } from './schema';

/** access: gates, event series, wristbands, check-ins at the gates, and ticket sales (types, holds, bookings). */
export const accessSubgraph: SubgraphDefinition<AccessDb, AccessTx, AccessContext> = {
  name: 'access',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  // the scheduler moves series on as their check-in windows open and they end, and releases expired holds
  // series.occupancy_changed after allowed scans, for events' live venue status
  consumers: [
    projectEvents,
    projectVenues,
    (services) => startScheduler(services),
    announceOccupancy,
    observeScanBatches,
    eraseDeletedUsers,
    runAccessRetention,
  ],
  // streamed bulk imports, forwarded by the gateway's POST /imports/… routes
  routes: importRoutes,
};
