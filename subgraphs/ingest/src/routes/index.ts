import { parseId, type SubgraphRoute } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import type { IngestRouteOptions } from './options';
import { servePush } from './push';
import { serveUpload } from './upload';

export type { IngestPayload, IngestRouteOptions } from './options';

/**
 * Ingest's plain HTTP routes. The subgraph server matches exact paths, so the source id travels in the query: the
 * gateway maps the public `/ingest/sources/:id/push|upload` onto `/ingest/push|upload?sourceId=:id`.
 */
export const INGEST_ROUTE_PATHS = { push: '/ingest/push', upload: '/ingest/upload' } as const;

const sourceIdOf = (url: string | undefined) =>
  parseId('sourceId', new URL(url ?? '/', 'http://localhost').searchParams.get('sourceId') ?? '');

export function createIngestRoutes(
  options: Pick<IngestRouteOptions, 'ingest' | 'box'> & Partial<IngestRouteOptions>,
): Record<string, SubgraphRoute<IngestContext>> {
  const settled: IngestRouteOptions = {
    maxPushBytes: 5 * 1024 * 1024,
    maxUploadBytes: 10 * 1024 * 1024,
    now: () => new Date(),
    ...options,
  };
  return {
    [`POST ${INGEST_ROUTE_PATHS.push}`]: async (req, res, ctx) => servePush(req, res, ctx, sourceIdOf(req.url), settled),
    [`POST ${INGEST_ROUTE_PATHS.upload}`]: async (req, res, ctx) => serveUpload(req, res, ctx, sourceIdOf(req.url), settled),
  };
}
