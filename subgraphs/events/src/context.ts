import { loaderById, loaderByParent, type SubgraphContext } from '@eventgraph/runtime';
import { eventCacheFor } from './event-cache';
import type { Event, Prisma, PrismaClient, Venue } from './generated/prisma/client';

export type EventsDb = PrismaClient;
export type EventsTx = Prisma.TransactionClient;

export interface EventsContext extends SubgraphContext<EventsDb, EventsTx> {
  loaders: ReturnType<typeof createLoaders>;
}

export function createLoaders(db: EventsDb) {
  return {
    event: loaderById<Event>((ids) =>
      eventCacheFor(db).loadMany(ids, (missing) => db.event.findMany({ where: { id: { in: missing } } })),
    ),
    venue: loaderById<Venue>((ids) => db.venue.findMany({ where: { id: { in: [...ids] } } })),
    eventsOfVenue: loaderByParent<Event>(
      (ids) => db.event.findMany({ where: { venueId: { in: [...ids] } }, orderBy: { startsAt: 'asc' } }),
      (e) => e.venueId,
    ),
    venuesOfOrganization: loaderByParent<Venue>(
      (ids) => db.venue.findMany({ where: { organizationId: { in: [...ids] } }, orderBy: { name: 'asc' } }),
      (v) => v.organizationId,
    ),
  };
}

export const createContext = (base: SubgraphContext<EventsDb, EventsTx>): EventsContext => ({
  ...base,
  loaders: createLoaders(base.db),
});
