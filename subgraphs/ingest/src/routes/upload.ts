import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireAuthenticated, sendJson } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { requireSourceOperator } from '../visibility';
import { answerRefusal, mediaTypeOf, readRawBody, RouteRefusal } from './refusal';
import type { IngestRouteOptions } from './options';

/** The media types a file of each uploadable kind arrives with (browsers send .csv as vnd.ms-excel on Windows). */
const UPLOAD_TYPES = {
  ICAL: ['text/calendar', 'application/ics', 'text/x-vcalendar'],
  CSV: ['text/csv', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel'],
} as const;

const takesUploads = (kind: string): kind is keyof typeof UPLOAD_TYPES => kind in UPLOAD_TYPES;

/**
 * POST /ingest/upload?sourceId=… (public: /ingest/sources/:id/upload): an iCal or CSV file for an ICAL or CSV source,
 * by an admin of the source's organisation or the platform. The whole file is one run (trigger UPLOAD).
 */
export async function serveUpload(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: IngestContext,
  sourceId: string,
  options: IngestRouteOptions,
): Promise<void> {
  requireAuthenticated(ctx.principal);
  const source = await ctx.db.source.findUnique({ where: { id: sourceId } });
  try {
    if (!source) throw new RouteRefusal('NOT_FOUND', 'no source with this id');
    requireSourceOperator(ctx.principal, source);
    if (!takesUploads(source.kind))
      throw new RouteRefusal(
        'UPLOAD_NOT_ACCEPTED',
        `a ${source.kind} source is fetched, not uploaded to (ICAL and CSV sources take files)`,
      );
    const accepted: readonly string[] = UPLOAD_TYPES[source.kind];
    if (!accepted.includes(mediaTypeOf(req.headers['content-type'])))
      throw new RouteRefusal('UNSUPPORTED_MEDIA_TYPE', `a ${source.kind} upload is sent as ${accepted[0]}`);
    const body = await readRawBody(req, options.maxUploadBytes);
    const summary = await options.ingest(ctx, {
      sourceId: source.id,
      trigger: 'UPLOAD',
      body,
      contentType: req.headers['content-type']!,
    });
    sendJson(res, 200, summary);
  } catch (err) {
    answerRefusal(res, err);
  }
}
