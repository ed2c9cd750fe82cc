import { loaderById, loaderByParent, type SubgraphContext } from '@eventgraph/runtime';
import { friendsOf } from './domain/own-events';
import { eventCacheFor } from './event-cache';
import { userOf } from './visibility';
import { createPlaceLoaders } from './venue-places';
import type { Event, EventEnrichment, Prisma, PrismaClient, Venue } from './generated/prisma/client';

export type EventsDb = PrismaClient;
export type EventsTx = Prisma.TransactionClient;

export interface EventsContext extends SubgraphContext<EventsDb, EventsTx> {
  loaders: ReturnType<typeof createLoaders>;
  /** the calling user's friends (mutual follows), read once per request; empty for anyone but a user */
  friends(): Promise<ReadonlySet<string>>;
  /** the events the calling user's own events stand in for, read once per request */
  replacedForCaller(): Promise<ReadonlySet<string>>;
}

/** A lazily computed value, computed once. */
const once = <T>(compute: () => Promise<T>): (() => Promise<T>) => {
  let value: Promise<T> | undefined;
  return () => (value ??= compute());
};

export function createLoaders(db: EventsDb) {
  return {
    event: loaderById<Event>((ids) =>
      eventCacheFor(db).loadMany(ids, (missing) => db.event.findMany({ where: { id: { in: missing } } })),
    ),
    venue: loaderById<Venue>((ids) => db.venue.findMany({ where: { id: { in: [...ids] } } })),
    enrichmentsOfEvent: loaderByParent<EventEnrichment>(
      (ids) =>
        db.eventEnrichment.findMany({
          where: { eventId: { in: [...ids] } },
          orderBy: [{ createdAt: 'asc' }, { partnerAppId: 'asc' }],
        }),
      (e) => e.eventId,
    ),
    venuesOfOrganization: loaderByParent<Venue>(
      (ids) => db.venue.findMany({ where: { organizationId: { in: [...ids] } }, orderBy: { name: 'asc' } }),
      (v) => v.organizationId,
    ),
    // opening hours and live status (venue-places.ts)
    ...createPlaceLoaders(db),
  };
}

export const createContext = (base: SubgraphContext<EventsDb, EventsTx>): EventsContext => {
  const me = userOf(base.principal);
  return {
    ...base,
    loaders: createLoaders(base.db),
    friends: once(async () =>
      me
        ? friendsOf(me, await base.db.userFollow.findMany({ where: { OR: [{ followerId: me }, { followeeId: me }] } }))
        : new Set<string>(),
    ),
    replacedForCaller: once(async () =>
      me
        ? new Set(
            (await base.db.ownEventMatch.findMany({ where: { ownerUserId: me }, select: { publicEventId: true } })).map(
              (m) => m.publicEventId,
            ),
          )
        : new Set<string>(),
    ),
  };
};
