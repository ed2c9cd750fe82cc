import { loaderById, loaderByParent, type SubgraphContext } from '@eventgraph/runtime';
import type { FetchRun, Prisma, PrismaClient, Source } from './generated/prisma/client';

export type IngestDb = PrismaClient;
export type IngestTx = Prisma.TransactionClient;

export interface IngestContext extends SubgraphContext<IngestDb, IngestTx> {
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders(db: IngestDb) {
  return {
    source: loaderById<Source>((ids) => db.source.findMany({ where: { id: { in: [...ids] } } })),
    fetchRun: loaderById<FetchRun>((ids) => db.fetchRun.findMany({ where: { id: { in: [...ids] } } })),
    sourcesOfEvent: loaderByParent<Source & { eventId: string }>(
      async (ids) =>
        (await db.sourceEvent.findMany({ where: { eventId: { in: [...ids] } }, include: { source: true } })).map((link) => ({
          ...link.source,
          eventId: link.eventId,
        })),
      (s) => s.eventId,
    ),
  };
}

export const createContext = (base: SubgraphContext<IngestDb, IngestTx>): IngestContext => ({
  ...base,
  loaders: createLoaders(base.db),
});
