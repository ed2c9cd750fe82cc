import { recordEvent, type ConsumerServices, type SqlExecutor } from '@eventgraph/runtime';
import type { AccessDb } from '../context';

/** at most one announcement per series and process in this many ms */
const SPACING_MS = 1000;

/**
 * `series.occupancy_changed` (seriesId, eventId, organizationId, insideNow, capacity, observedAt): how full a series
 * is, for other subgraphs (events derives a venue's crowd level from it). Announced after allowed scans, off the
 * scan's own statement (that stays one round trip), read from the occupancy shards as they are then: so a burst of
 * scans makes one announcement per second per series, the trailing one after the burst's last scan. A process that
 * stops inside that second loses its trailing one until the next scan; the numbers are always read fresh.
 */
export function announceOccupancy({ db, bus, group, log }: ConsumerServices<AccessDb>) {
  const lastAt = new Map<string, number>();
  const trailing = new Map<string, NodeJS.Timeout>();

  async function announce(seriesId: string): Promise<void> {
    lastAt.set(seriesId, Date.now());
    await db.$transaction(async (tx) => {
      const series = await tx.eventSeries.findUnique({
        where: { id: seriesId },
        select: { eventId: true, organizationId: true, capacity: true },
      });
      if (!series) return;
      const occupied = await tx.occupancyShard.aggregate({ where: { seriesId, pool: '' }, _sum: { inside: true } });
      await recordEvent(tx as unknown as SqlExecutor, 'access', 'series.occupancy_changed', {
        seriesId,
        eventId: series.eventId,
        organizationId: series.organizationId,
        insideNow: occupied._sum.inside ?? 0,
        capacity: series.capacity,
        observedAt: new Date().toISOString(),
      });
    });
  }

  const stop = bus.consume!(group('occupancy-announcements'), 'checkin.recorded', async (event) => {
    const { seriesId, allowed } = event.payload as { seriesId?: string; allowed?: boolean };
    if (allowed !== true || typeof seriesId !== 'string') return;
    const wait = (lastAt.get(seriesId) ?? 0) + SPACING_MS - Date.now();
    if (wait <= 0) return announce(seriesId);
    if (trailing.has(seriesId)) return;
    trailing.set(
      seriesId,
      setTimeout(() => {
        trailing.delete(seriesId);
        announce(seriesId).catch((err) => log.error({ err, seriesId }, 'occupancy announcement failed'));
      }, wait),
    );
  });
  return async () => {
    for (const timer of trailing.values()) clearTimeout(timer);
    trailing.clear();
    await stop();
  };
}
