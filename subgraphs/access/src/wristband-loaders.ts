import { loaderById, loaderByParent } from '@eventgraph/runtime';
import type { AccessDb } from './context';
import type { EventSeries, Ticket, Wristband, WristbandStatusChange } from './generated/prisma/client';

/** Per-request loaders of wristbands' and tickets' related rows (spread into the context's loaders). */
export function wristbandLoaders(db: AccessDb) {
  return {
    ticket: loaderById<Ticket>((ids) => db.ticket.findMany({ where: { id: { in: [...ids] } } })),
    statusChangesOfWristband: loaderByParent<WristbandStatusChange>(
      (ids) => db.wristbandStatusChange.findMany({ where: { wristbandId: { in: [...ids] } }, orderBy: { occurredAt: 'asc' } }),
      (c) => c.wristbandId,
    ),
    seriesOfWristband: loaderByParent<EventSeries & { wristbandId: string }>(
      async (ids) =>
        (await db.wristbandAssignment.findMany({ where: { wristbandId: { in: [...ids] } }, include: { series: true } })).map(
          (a) => ({ ...a.series, wristbandId: a.wristbandId }),
        ),
      (s) => s.wristbandId,
    ),
    ticketsOfWristband: loaderByParent<Ticket>(
      (ids) => db.ticket.findMany({ where: { wristbandId: { in: [...ids] } }, orderBy: { importedAt: 'asc' } }),
      (t) => t.wristbandId!,
    ),
    /** the wristband that replaced each one (at most one) */
    replacementOf: loaderByParent<Wristband>(
      (ids) => db.wristband.findMany({ where: { replacesId: { in: [...ids] } } }),
      (w) => w.replacesId!,
    ),
    seriesOfTicket: loaderByParent<EventSeries & { ticketId: string }>(
      async (ids) => {
        const links = await db.ticketSeries.findMany({ where: { ticketId: { in: [...ids] } } });
        const series = await db.eventSeries.findMany({ where: { id: { in: [...new Set(links.map((l) => l.seriesId))] } } });
        const byId = new Map(series.map((s) => [s.id, s]));
        return links.flatMap((l) => (byId.has(l.seriesId) ? [{ ...byId.get(l.seriesId)!, ticketId: l.ticketId }] : []));
      },
      (s) => s.ticketId,
    ),
  };
}
