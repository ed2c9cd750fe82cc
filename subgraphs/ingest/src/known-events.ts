import { can, DomainError, ErrorCode, isPlatformService, type ConsumerServices, type Principal } from '@eventgraph/runtime';
import type { IngestContext, IngestDb } from './context';
import { isOpenToEveryone } from './domain/event-access';
import type { KnownEvent } from './generated/prisma/client';

interface EventSummary {
  eventId?: string;
  organizationId?: string | null;
  ownerUserId?: string | null;
  status?: string;
  visibility?: string;
}

/**
 * Ingest never reads the events subgraph's tables: it keeps who may read each event (its organisation or
 * owner, status, visibility) from `event.*` bus events, to check the events a source is attributed to.
 */
export const projectEvents = ({ db, bus, group }: ConsumerServices<IngestDb>) =>
  bus.consume!(group('event-projection'), 'event.*', async (event) => {
    const { eventId, organizationId, ownerUserId, status, visibility } = event.payload as EventSummary;
    if (!eventId || !status) return;
    if (event.topic === 'event.deleted') {
      await db.knownEvent.deleteMany({ where: { eventId } });
      return;
    }
    // idempotent: replaying an event writes the same row
    const data = {
      organizationId: organizationId ?? null,
      ownerUserId: ownerUserId ?? null,
      status,
      ...(visibility ? { visibility } : {}),
    };
    await db.knownEvent.upsert({ where: { eventId }, create: { eventId, ...data }, update: data });
  });

export function canReadEvent(principal: Principal, event: KnownEvent): boolean {
  if (isPlatformService(principal)) return true;
  if (event.ownerUserId) {
    if (principal.kind === 'user' && principal.id === event.ownerUserId) return true;
  } else if (event.organizationId && can(principal, 'organization.read', event.organizationId)) return true;
  return isOpenToEveryone(event);
}

/** How long a just-created event may take to reach ingest through the bus. */
const ARRIVAL_WAIT_MS = 3000;

/** The event, if the caller may read it; NOT_FOUND (naming eventId) otherwise, exactly as for an unknown id. */
export async function readableEvent(ctx: IngestContext, eventId: string): Promise<KnownEvent> {
  const deadline = Date.now() + ARRIVAL_WAIT_MS;
  for (;;) {
    const known = await ctx.db.knownEvent.findUnique({ where: { eventId } });
    if (known) {
      if (canReadEvent(ctx.principal, known)) return known;
      // refused only when an unknown id would be, so the clock does not tell that the event exists
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())));
      break;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new DomainError(ErrorCode.NOT_FOUND, `event ${eventId} was not found`, { field: 'eventId' });
}
