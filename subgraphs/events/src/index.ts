import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type EventsContext, type EventsDb, type EventsTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { projectDependents } from './dependents';
import { projectRsvpCounts } from './popularity';
import { projectPublications } from './calendar-publications';
import { projectUserFollows } from './user-follows';
import { projectSourceEvents } from './source-events';
import { projectSeriesOccupancy } from './series-occupancy';
import { expireVenueStatuses } from './venue-status-expiry';
import { sampleVenueCrowds } from './crowd-model';
import { forgetChangedEvents, forgetEventsChangedElsewhere } from './event-cache';
import { eraseDeletedUsers } from './privacy/erasure';
import { runEventsRetention } from './privacy/retention';
import { schema } from './schema';

/** events: venues and events, their lifecycle and live changes. */
export const eventsSubgraph: SubgraphDefinition<EventsDb, EventsTx, EventsContext> = {
  name: 'events',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  consumers: [
    projectDependents,
    projectRsvpCounts,
    forgetEventsChangedElsewhere,
    projectPublications,
    projectUserFollows,
    projectSourceEvents,
    projectSeriesOccupancy,
    expireVenueStatuses,
    sampleVenueCrowds,
    eraseDeletedUsers,
    runEventsRetention,
  ],
  afterCommit: forgetChangedEvents,
};
