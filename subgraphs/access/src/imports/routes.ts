import type { IncomingMessage, ServerResponse } from 'node:http';
import { badInput, DomainError, parseId, requireText, sendJson, type SubgraphRoute } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { importTarget, type ImportMode } from './common';
import { importFormatOf, type ImportFormat } from '../domain/import-media';
import type { OnProgress } from './progress';
import { importTickets } from './tickets';
import { importWristbands } from './wristbands';

/**
 * Streamed imports over plain HTTP (the gateway forwards `POST /imports/…` here with the signed principal):
 * the request body is read as it arrives and the JSON report is the answer, so a million rows never sit in
 * memory. Errors come back as JSON with a stable code (see the subgraph server's route errors).
 *
 * A caller that sends `Accept: application/x-ndjson` gets the answer as NDJSON instead: a line
 * `{"progress":{"bytes","rows","stage"}}` about once a second while the import runs, then `{"report":{…}}`,
 * or `{"errors":[…]}` if it fails after the first line (the status, 200, was sent with it). Until that first
 * line, refusals keep their status codes.
 */

function mode(query: URLSearchParams): ImportMode {
  const value = query.get('mode') ?? 'partial';
  if (value === 'partial') return 'PARTIAL';
  if (value === 'all-or-nothing') return 'ALL_OR_NOTHING';
  throw badInput('mode', 'must be partial or all-or-nothing');
}

/** The declared `format` of a tickets import, if any. */
function declaredFormat(query: URLSearchParams): ImportFormat | undefined {
  const value = query.get('format');
  if (value === null) return undefined;
  if (value === 'csv' || value === 'json') return value.toUpperCase() as ImportFormat;
  throw badInput('format', 'must be csv or json (a JSON array, or one object per line)');
}

/** The body's format, or 415 UNSUPPORTED_MEDIA_TYPE when its Content-Type is not one the import reads. */
function bodyFormat(contentType: string | undefined, allowed: readonly ImportFormat[], declared?: ImportFormat): ImportFormat {
  const checked = importFormatOf(contentType, allowed, declared);
  if ('problem' in checked) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', checked.problem, { field: 'Content-Type' });
  return checked.format;
}

/** How the report goes back: one JSON body, or NDJSON progress lines and the report last (see above). */
function answer(req: IncomingMessage, res: ServerResponse): { onProgress?: OnProgress; send(report: object): void } {
  if (!/application\/(x-)?ndjson/i.test(req.headers.accept ?? '')) return { send: (report) => sendJson(res, 200, report) };
  const start = () => {
    if (!res.headersSent)
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  };
  return {
    onProgress: (progress) => {
      start();
      res.write(`${JSON.stringify({ progress })}\n`);
    },
    send: (report) => {
      start();
      res.end(`${JSON.stringify({ report })}\n`);
    },
  };
}

const queryOf = (ctxUrl: string | undefined) => new URL(ctxUrl ?? '/', 'http://localhost').searchParams;
const eventIdOf = (query: URLSearchParams) => parseId('eventId', query.get('eventId') ?? '');

export const importRoutes: Record<string, SubgraphRoute<AccessContext>> = {
  'POST /imports/wristbands': async (req, res, ctx) => {
    const query = queryOf(req.url);
    const importMode = mode(query);
    bodyFormat(req.headers['content-type'], ['CSV']);
    const target = await importTarget(ctx, eventIdOf(query));
    const reply = answer(req, res);
    reply.send(await importWristbands(ctx, target, req, importMode, reply.onProgress));
  },
  'POST /imports/tickets': async (req, res, ctx) => {
    const query = queryOf(req.url);
    const importMode = mode(query);
    const ticketFormat = bodyFormat(req.headers['content-type'], ['CSV', 'JSON'], declaredFormat(query));
    const source = requireText('source', query.get('source') ?? '', 64);
    const target = await importTarget(ctx, eventIdOf(query));
    const reply = answer(req, res);
    reply.send(await importTickets(ctx, target, source, ticketFormat, req, importMode, reply.onProgress));
  },
};
