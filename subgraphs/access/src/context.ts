import { loaderById, loaderByParent, type SubgraphContext } from '@eventgraph/runtime';
import type { CheckIn, EventSeries, Gate, Prisma, PrismaClient, Wristband } from './generated/prisma/client';

export type AccessDb = PrismaClient;
export type AccessTx = Prisma.TransactionClient;

export interface AccessContext extends SubgraphContext<AccessDb, AccessTx> {
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders(db: AccessDb) {
  return {
    gate: loaderById<Gate>((ids) => db.gate.findMany({ where: { id: { in: [...ids] } } })),
    series: loaderById<EventSeries>((ids) => db.eventSeries.findMany({ where: { id: { in: [...ids] } } })),
    wristband: loaderById<Wristband>((ids) => db.wristband.findMany({ where: { id: { in: [...ids] } } })),
    checkIn: loaderById<CheckIn>((ids) => db.checkIn.findMany({ where: { id: { in: [...ids] } } })),
    seriesOfEvent: loaderByParent<EventSeries>(
      (ids) => db.eventSeries.findMany({ where: { eventId: { in: [...ids] } }, orderBy: { startsAt: 'asc' } }),
      (s) => s.eventId,
    ),
    gatesOfEvent: loaderByParent<Gate>(
      (ids) => db.gate.findMany({ where: { eventId: { in: [...ids] } }, orderBy: { name: 'asc' } }),
      (g) => g.eventId,
    ),
    gatesOfSeries: loaderByParent<Gate & { seriesId: string }>(
      async (ids) =>
        (await db.seriesGate.findMany({ where: { seriesId: { in: [...ids] } }, include: { gate: true } })).map((sg) => ({
          ...sg.gate,
          seriesId: sg.seriesId,
        })),
      (g) => g.seriesId,
    ),
  };
}

export const createContext = (base: SubgraphContext<AccessDb, AccessTx>): AccessContext => ({
  ...base,
  loaders: createLoaders(base.db),
});
