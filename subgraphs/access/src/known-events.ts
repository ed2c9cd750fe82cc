import {
  can,
  DomainError,
  ErrorCode,
  requireAuthenticated,
  requirePermission,
  type ConsumerServices,
  type Permission,
  type Principal,
} from '@eventgraph/runtime';
import type { AccessDb } from './context';
import type { KnownEvent } from './generated/prisma/client';

/**
 * Access never reads the events subgraph's tables: it keeps its own record of
 * each event's organisation, fed by `event.*` bus events. Every access object
 * takes its organisation from here, never from the caller.
 */
export const projectEvents = ({ db, bus, group }: ConsumerServices<AccessDb>) =>
  bus.consume!(group('event-projection'), 'event.*', async (event) => {
    const { eventId, organizationId, status, venueId } = event.payload as {
      eventId: string;
      organizationId: string | null;
      status: string;
      /** absent from event.deleted: the venue stays as it was */
      venueId?: string | null;
    };
    // a user's own event has no organisation, so no gates, series or wristbands: access has nothing to know of it
    if (!organizationId) return;
    // idempotent: replaying an event writes the same row
    await db.knownEvent.upsert({
      where: { eventId },
      create: { eventId, organizationId, status, venueId: venueId ?? null },
      update: { organizationId, status, ...(venueId !== undefined ? { venueId } : {}) },
    });
  });

/**
 * Venues' capacities, from `venue.created` / `venue.updated`: the tickets on sale for an event may not add up to
 * more than its venue holds. Venues announced before their payload carried `maxCapacity` stay unknown (no bound).
 */
export const projectVenues = ({ db, bus, group }: ConsumerServices<AccessDb>) =>
  bus.consume!(group('venue-projection'), 'venue.*', async (event) => {
    const { venueId, organizationId, maxCapacity } = event.payload as {
      venueId: string;
      organizationId: string;
      maxCapacity?: number;
    };
    if (typeof maxCapacity !== 'number') return;
    await db.knownVenue.upsert({
      where: { venueId },
      create: { venueId, organizationId, maxCapacity },
      update: { organizationId, maxCapacity },
    });
  });

/** The refusal for an event that does not exist, and (word for word) for one the caller may not see. */
const unknownEvent = (eventId: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `event ${eventId} was not found`, { field: 'eventId' });

/** How long a just-created event may take to reach access through the bus. */
const ARRIVAL_WAIT_MS = 3000;

export async function knownEvent(db: AccessDb, eventId: string, deadline = Date.now() + ARRIVAL_WAIT_MS): Promise<KnownEvent> {
  for (;;) {
    const known = await db.knownEvent.findUnique({ where: { eventId } });
    if (known) return known;
    if (Date.now() > deadline) throw unknownEvent(eventId);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The event a mutation writes to, for a caller who may do `permission` there. Another organisation's event is
 * NOT_FOUND exactly like a missing one (its existence must not leak); FORBIDDEN only within the caller's own.
 */
export async function eventToChange(
  db: AccessDb,
  principal: Principal,
  eventId: string,
  permission: Permission,
): Promise<KnownEvent> {
  requireAuthenticated(principal);
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  const event = await knownEvent(db, eventId, deadline);
  if (!can(principal, 'organization.read', event.organizationId)) {
    // an unknown id is refused only once the arrival wait is over: refusing another organisation's event sooner
    // would tell by the clock that it exists
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
    throw unknownEvent(eventId);
  }
  requirePermission(principal, permission, event.organizationId);
  return event;
}
