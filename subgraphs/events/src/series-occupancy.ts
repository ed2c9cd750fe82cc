import { recordEvent, type ConsumerServices, type SqlExecutor } from '@eventgraph/runtime';
import type { EventsDb } from './context';
import { observeCrowd } from './crowd-model';
import { crowdFromOccupancy } from './domain/live-status';
import { statusChangePayload, VENUE_STATUS_TOPIC } from './venue-places';

interface OccupancyPayload {
  seriesId?: string;
  eventId?: string;
  insideNow?: number;
  capacity?: number;
  observedAt?: string;
}

/**
 * How full each series of an event is, from access's `series.occupancy_changed` (events never reads access's
 * tables): one row per series, replaced only by a newer reading, so a redelivered or late one changes nothing.
 * When the crowd level it makes changes, the venue's status subscribers hear it (`venue_status.changed`, written
 * to the outbox with the row); readings of events that ended are ignored. Venue.liveStatus derives the crowd from the readings of the events running there.
 */
export const projectSeriesOccupancy = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('series-occupancy'), 'series.occupancy_changed', async (event) => {
    const p = event.payload as OccupancyPayload;
    const count = (n: unknown) => (Number.isInteger(n) && (n as number) >= 0 ? (n as number) : null);
    const [insideNow, capacity] = [count(p.insideNow), count(p.capacity)];
    const observedAt = new Date(p.observedAt ?? '');
    if (typeof p.seriesId !== 'string' || typeof p.eventId !== 'string' || insideNow === null || capacity === null) return;
    if (Number.isNaN(observedAt.getTime())) return;
    const { seriesId, eventId } = p;
    await db.$transaction(async (tx) => {
      // a reading of an event that ended shows nothing (the lapse job removed the others, and announced them)
      const event = await tx.event.findUnique({ where: { id: eventId }, select: { endsAt: true, venue: true } });
      if (!event || event.endsAt <= new Date()) return;
      const [before] = await tx.$queryRaw<{ insideNow: number; capacity: number; observedAt: Date }[]>`
        SELECT "insideNow", "capacity", "observedAt" FROM "SeriesOccupancy" WHERE "seriesId" = ${seriesId}::uuid FOR UPDATE`;
      if (before && before.observedAt >= observedAt) return;
      const reading = { eventId, insideNow, capacity, observedAt };
      await tx.seriesOccupancy.upsert({ where: { seriesId }, create: { seriesId, ...reading }, update: reading });
      // one series' reading (the venue's other events aside): enough for the model of usual crowds
      if (event.venue) await observeCrowd(tx, event.venue, crowdFromOccupancy(insideNow, capacity), observedAt);
      if (before && crowdFromOccupancy(before.insideNow, before.capacity) === crowdFromOccupancy(insideNow, capacity)) return;
      if (event.venue) {
        await recordEvent(
          tx as unknown as SqlExecutor,
          'events',
          VENUE_STATUS_TOPIC,
          statusChangePayload(event.venue, ['checkIns']),
        );
      }
    });
  });
