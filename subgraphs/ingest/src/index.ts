import { join } from 'node:path';
import type { SubgraphDefinition } from '@eventgraph/runtime';
import { createContext, type IngestContext, type IngestDb, type IngestTx } from './context';
import { PrismaClient } from './generated/prisma/client';
import { projectEvents } from './known-events';
import { projectVenues } from './known-venues';
import { eraseDeletedUsers } from './privacy/erasure';
import { runIngestRetention } from './privacy/retention';
import { ingestPayload, pipelineServices, secretBox } from './pipeline';
import { loadWorkerSettings, RunQueueWorker } from './queue';
import { createIngestRoutes } from './routes';
import { schema } from './schema';

/** The run queue's worker: due sources are fetched and staged in the background, and stop with the subgraph. */
const runQueue = ({ sql, log }: { sql: IngestContext['sql']; log: IngestContext['log'] }) => {
  const worker = new RunQueueWorker(pipelineServices({ sql, log }), loadWorkerSettings(), log);
  worker.start();
  return () => worker.stop();
};

/** ingest: sources, fetch runs, staging, deduplication into canonical events, moderation and provenance. */
export const ingestSubgraph: SubgraphDefinition<IngestDb, IngestTx, IngestContext> = {
  name: 'ingest',
  prismaDir: join(__dirname, '..', 'prisma'),
  schema,
  createClient: (adapter) => new PrismaClient({ adapter }),
  createContext,
  // who may read each event (attribution), the venues feed places are matched to, the run queue and retention
  consumers: [projectEvents, projectVenues, eraseDeletedUsers, runQueue, runIngestRetention],
  // webhook push and file upload, forwarded by the gateway from /ingest/sources/:id/push|upload
  routes: createIngestRoutes({
    // the key is read when first used (the run queue's start reads it first)
    box: {
      seal: (text, context) => secretBox().seal(text, context),
      open: (sealed, context) => secretBox().open(sealed, context),
    },
    ingest: (ctx, payload) => ingestPayload(pipelineServices(ctx), payload),
  }),
};
