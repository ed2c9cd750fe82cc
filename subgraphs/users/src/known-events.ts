import type { ConsumerServices } from '@eventgraph/runtime';
import type { UsersDb } from './context';

/**
 * Users never reads the events subgraph's tables: it keeps each event's
 * organisation, status and visibility from `event.*` bus events, which is what
 * deciding who may answer an event needs.
 */
export const projectEvents = ({ db, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('event-projection'), 'event.*', async (event) => {
    const { eventId, organizationId, status, visibility } = event.payload as Record<string, string | undefined>;
    if (!eventId || !organizationId || !status) return;
    if (event.topic === 'event.deleted') {
      await db.knownEvent.deleteMany({ where: { eventId } });
      return;
    }
    const data = { organizationId, status, ...(visibility ? { visibility } : {}) };
    await db.knownEvent.upsert({ where: { eventId }, create: { eventId, ...data }, update: data });
  });
