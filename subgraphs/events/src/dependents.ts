import type { ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';

/**
 * Events never reads access's tables: it learns of the series (and, later,
 * tickets) hung on an event from their bus events, one row per dependent, so
 * that a redelivered event changes nothing.
 */
export const projectDependents = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('dependents'), 'series.created', async (event) => {
    const { seriesId, eventId } = event.payload as { seriesId: string; eventId: string };
    await db.eventDependent.upsert({
      where: { kind_refId: { kind: 'series', refId: seriesId } },
      create: { kind: 'series', refId: seriesId, eventId },
      update: {},
    });
  });
