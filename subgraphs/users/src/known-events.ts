import type { ConsumerServices } from '@eventgraph/runtime';
import type { UsersDb } from './context';

interface EventSummary {
  eventId?: string;
  organizationId?: string | null;
  /** a user's own event: its owner (organizationId is then null) and the events it stands for */
  ownerUserId?: string | null;
  replaces?: string[];
  status?: string;
  visibility?: string;
  title?: string;
  venueId?: string;
  startsAt?: string;
  categories?: string[];
}

/**
 * Users never reads the events subgraph's tables: it keeps what it needs of
 * each event (who may see it, when, where, what kind) from `event.*` bus
 * events, to decide who may answer an event and to build personalised feeds.
 */
export const projectEvents = ({ db, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('event-projection'), 'event.*', async (event) => {
    const summary = event.payload as EventSummary;
    const { eventId, organizationId, ownerUserId, status } = summary;
    if (!eventId || !(organizationId || ownerUserId) || !status) return;
    if (event.topic === 'event.deleted') {
      await db.knownEvent.deleteMany({ where: { eventId } });
      return;
    }
    const data = {
      organizationId: organizationId ?? null,
      ownerUserId: ownerUserId ?? null,
      status,
      ...(Array.isArray(summary.replaces) ? { replaces: summary.replaces } : {}),
      ...(summary.visibility ? { visibility: summary.visibility } : {}),
      ...(summary.title ? { title: summary.title } : {}),
      ...(summary.venueId ? { venueId: summary.venueId } : {}),
      ...(summary.startsAt ? { startsAt: new Date(summary.startsAt) } : {}),
      ...(summary.categories ? { categories: summary.categories } : {}),
    };
    await db.knownEvent.upsert({ where: { eventId }, create: { eventId, ...data }, update: data });
  });
