import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  ANONYMOUS,
  graphqlErrorBody,
  PRINCIPAL_HEADER,
  sendJson,
  signPrincipal,
  type Logger,
  type Principal,
} from '@eventgraph/runtime';
import type { Authenticated } from './auth/authenticator';

/**
 * POST /ingest/sources/:id/push: a partner's signed batch for a webhook source. No caller credential: the signature
 * over the body, checked by ingest with the source's secret, is the credential; the anonymous bucket of the client's
 * address limits the rate.
 * POST /ingest/sources/:id/upload: an iCal or CSV file for a source, authenticated and rate limited like /graphql;
 * ingest checks that the caller administers the source.
 * Both are streamed to ingest (at `/ingest/push|upload?sourceId=…`, its server matching exact paths) with the signed
 * principal, and ingest's JSON answer (or error, with a stable code) is streamed back.
 */

export const INGEST_PREFIX = '/ingest/';
// ids are UUIDs (ingest checks); anything else never leaves the gateway
const ROUTE = /^\/ingest\/sources\/([0-9A-Za-z-]{1,64})\/(push|upload)$/;
/** what ingest needs of the client's request, besides the body */
const FORWARDED_HEADERS = ['content-type', 'content-length', 'x-eventgraph-signature'];

export interface IngestRoutesOptions {
  /** the ingest subgraph's GraphQL URL; the routes live next to it */
  ingestUrl: string;
  principalSecret: string;
  logger: Logger;
  /** the caller, once authenticated and within their rate limit; otherwise it has answered the refusal */
  authenticate(req: IncomingMessage, res: ServerResponse): Promise<Authenticated | undefined>;
  /** takes a token from the anonymous bucket of the client's address; false when it has answered the refusal */
  admitAnonymous(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function createIngestRoutes(options: IngestRoutesOptions) {
  const { principalSecret, logger: log } = options;

  const forward = (req: IncomingMessage, res: ServerResponse, target: URL, principal: Principal, requestId: string) =>
    new Promise<void>((resolve) => {
      let answered = false;
      const headers: Record<string, string> = {
        [PRINCIPAL_HEADER]: signPrincipal(principal, principalSecret),
        'x-request-id': requestId,
      };
      for (const name of FORWARDED_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = httpRequest(target, { method: 'POST', headers }, (answer) => {
        answered = true;
        res.writeHead(answer.statusCode ?? 502, {
          'content-type': answer.headers['content-type'] ?? 'application/json; charset=utf-8',
          // ingest answered before reading the whole body (a refusal): do not wait for the rest
          ...(req.complete ? {} : { connection: 'close' }),
        });
        pipeline(answer, res).then(resolve, (err) => {
          log.warn({ err, requestId }, 'ingest answer interrupted');
          resolve();
        });
      });
      upstream.on('error', (err) => {
        if (answered) return; // the answer is on its way; a body ingest stopped reading no longer matters
        log.error({ err, requestId }, 'ingest could not be reached');
        if (!res.headersSent)
          sendJson(res, 502, graphqlErrorBody('the ingest subgraph is unavailable; try again later', 'SUBGRAPH_UNAVAILABLE'), {
            connection: 'close',
            'retry-after': '30',
          });
        resolve();
      });
      pipeline(req, upstream).catch(() => upstream.destroy());
    });

  return async function handle(req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<void> {
    const match = ROUTE.exec(pathname);
    if (!match) return sendJson(res, 404, graphqlErrorBody(`no route for ${pathname}`, 'NOT_FOUND'));
    if (req.method !== 'POST')
      return sendJson(res, 405, graphqlErrorBody('pushes and uploads are POSTed', 'METHOD_NOT_ALLOWED'), { allow: 'POST' });
    const [, sourceId, action] = match;
    const target = new URL(`/ingest/${action}`, options.ingestUrl);
    target.searchParams.set('sourceId', sourceId!);
    if (action === 'push') {
      if (await options.admitAnonymous(req, res)) await forward(req, res, target, ANONYMOUS, requestId);
      return;
    }
    const authenticated = await options.authenticate(req, res);
    if (!authenticated) return;
    // keys in trusted-documents mode may run their registered operations only, so no uploads either
    if (authenticated.trustedDocumentsOf)
      return sendJson(res, 403, graphqlErrorBody('this API key runs its registered operations only', 'UNTRUSTED_OPERATION'));
    if (authenticated.principal.kind === 'anonymous')
      return sendJson(res, 401, graphqlErrorBody('sign in to upload', 'UNAUTHENTICATED'), { 'www-authenticate': 'Bearer' });
    await forward(req, res, target, authenticated.principal, requestId);
  };
}
