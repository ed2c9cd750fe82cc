import { loaderById, loaderByParent, type Sql, type SubgraphContext } from '@eventgraph/runtime';
import type {
  CheckIn,
  EventSeries,
  Gate,
  Prisma,
  PrismaClient,
  SeriesCategoryLimit,
  SeriesTransition,
  Wristband,
} from './generated/prisma/client';
import { salesLoaders } from './sales/loaders';
import { seatLoaders } from './sales/seat-reads';
import { wristbandLoaders } from './wristband-loaders';

export type AccessDb = PrismaClient;
export type AccessTx = Prisma.TransactionClient;
export type CategoryLimitWithOccupancy = SeriesCategoryLimit & { inside: number };

const statusRank = (status: string) => ['DRAFT', 'SCHEDULED', 'ACTIVE', 'COMPLETED', 'CANCELLED'].indexOf(status);

export interface AccessContext extends SubgraphContext<AccessDb, AccessTx> {
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders(db: AccessDb, sql: Sql) {
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
    transitionsOfSeries: loaderByParent<SeriesTransition>(
      async (ids) =>
        // statuses only move forward, so the target status orders moves made in the same instant
        (await db.seriesTransition.findMany({ where: { seriesId: { in: [...ids] } } })).sort(
          (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || statusRank(a.toStatus) - statusRank(b.toStatus),
        ),
      (t) => t.seriesId,
    ),
    categoryLimitsOfSeries: loaderByParent<CategoryLimitWithOccupancy>(
      async (ids) => {
        const limits = await db.seriesCategoryLimit.findMany({
          where: { seriesId: { in: [...ids] } },
          orderBy: { category: 'asc' },
        });
        // how many are inside per limited category: the sum of its occupancy shards
        const occupancy = await db.occupancyShard.groupBy({
          by: ['seriesId', 'pool'],
          where: { seriesId: { in: [...ids] }, pool: { not: '' } },
          _sum: { inside: true },
        });
        const inside = (l: SeriesCategoryLimit) =>
          occupancy.find((o) => o.seriesId === l.seriesId && o.pool === l.category)?._sum.inside ?? 0;
        return limits.map((l) => ({ ...l, inside: inside(l) }));
      },
      (l) => l.seriesId,
    ),
    childrenOfSeries: loaderByParent<EventSeries>(
      (ids) => db.eventSeries.findMany({ where: { parentId: { in: [...ids] } }, orderBy: { sequenceNumber: 'asc' } }),
      (s) => s.parentId!,
    ),
    ...wristbandLoaders(db),
    ...salesLoaders(db, sql),
    ...seatLoaders(sql),
  };
}

export const createContext = (base: SubgraphContext<AccessDb, AccessTx>): AccessContext => ({
  ...base,
  loaders: createLoaders(base.db, base.sql),
});
