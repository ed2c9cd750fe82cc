import { DomainError, ErrorCode, type ConsumerServices } from '@eventgraph/runtime';
import type { AccessDb } from './context';
import type { KnownEvent } from './generated/prisma/client';

/**
 * Access never reads the events subgraph's tables: it keeps its own record of
 * each event's organisation, fed by `event.*` bus events. Every access object
 * takes its organisation from here, never from the caller.
 */
export const projectEvents = ({ db, bus, group }: ConsumerServices<AccessDb>) =>
  bus.consume!(group('event-projection'), 'event.*', async (event) => {
    const { eventId, organizationId, status } = event.payload as {
      eventId: string;
      organizationId: string | null;
      status: string;
    };
    // a user's own event has no organisation, so no gates, series or wristbands: access has nothing to know of it
    if (!organizationId) return;
    // idempotent: replaying an event writes the same row
    await db.knownEvent.upsert({
      where: { eventId },
      create: { eventId, organizationId, status },
      update: { organizationId, status },
    });
  });

/** How long a just-created event may take to reach access through the bus. */
const ARRIVAL_WAIT_MS = 3000;

export async function knownEvent(db: AccessDb, eventId: string): Promise<KnownEvent> {
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  for (;;) {
    const known = await db.knownEvent.findUnique({ where: { eventId } });
    if (known) return known;
    if (Date.now() > deadline) throw new DomainError(ErrorCode.NOT_FOUND, `event ${eventId} was not found`, { field: 'eventId' });
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
