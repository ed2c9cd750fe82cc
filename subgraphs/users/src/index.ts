import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type UsersContext, type UsersDb, type UsersTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { projectEvents } from './known-events';
import { projectGates } from './known-gates';
import { matchNotifications } from './notifications/matcher';
import { deliverNotifications } from './notifications/delivery-worker';
import { releaseNotifications } from './notifications/release';
import { recordErasureConfirmations } from './privacy/confirmations';
import { recordRetentionRuns, runUsersRetention } from './privacy/retention';
import { schema } from './schema';
import { fanOutWebhooks } from './webhooks/fan-out';
import { deliverWebhooks } from './webhooks/worker';

/** users: people, organisations and their roles. */
export const usersSubgraph: SubgraphDefinition<UsersDb, UsersTx, UsersContext> = {
  name: 'users',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  // bus events of an organisation become webhook deliveries; the worker sends them, retries, gives up
  consumers: [
    projectEvents,
    projectGates,
    recordErasureConfirmations,
    recordRetentionRuns,
    runUsersRetention,
    fanOutWebhooks,
    (services) => deliverWebhooks(services),
    // public events matched against notification preferences; held notifications released after quiet hours
    matchNotifications,
    releaseNotifications,
    (services) => deliverNotifications(services),
  ],
};
