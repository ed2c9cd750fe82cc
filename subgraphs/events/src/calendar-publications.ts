import type { ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';

/**
 * Remembers which events were ever published (bus topic event.published), so that an archived event shows
 * in public calendar feeds as cancelled only if the public could have seen it; idempotent per event.
 */
export const projectPublications = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('calendar-publications'), 'event.published', async (event) => {
    const { eventId } = event.payload as { eventId: string };
    await db.calendarPublishedEvent.upsert({
      where: { eventId },
      create: { eventId, firstPublishedAt: new Date(event.occurredAt) },
      update: {},
    });
  });
