import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type IngestContext, type IngestDb, type IngestTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { projectEvents } from './known-events';
import { schema } from './schema';

/** ingest: sources, fetch runs and where each event came from. */
export const ingestSubgraph: SubgraphDefinition<IngestDb, IngestTx, IngestContext> = {
  name: 'ingest',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  // who may read each event, to check what a source is attributed to
  consumers: [projectEvents],
};
