import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { graphqlErrorBody, PRINCIPAL_HEADER, sendJson, signPrincipal, type Logger, type Principal } from '@eventgraph/runtime';

/**
 * POST /imports/wristbands?eventId=…&mode=partial|all-or-nothing and
 * POST /imports/tickets?eventId=…&source=…&format=csv|json[&mode=…]: bulk imports too large for GraphQL.
 * The caller is authenticated and rate limited like /graphql (one token per import); the body is streamed to
 * the access subgraph as it arrives, with the signed principal, and access's JSON report (or error, with a
 * stable code) is streamed back. Nothing is buffered here, whatever the size of the file.
 */

export const IMPORT_PREFIX = '/imports/';
const ROUTES = new Set(['/imports/wristbands', '/imports/tickets']);

export interface ImportRoutesOptions {
  /** the access subgraph's GraphQL URL; the routes live next to it */
  accessUrl: string;
  principalSecret: string;
  logger: Logger;
}

export function createImportRoutes(options: ImportRoutesOptions) {
  const { principalSecret, logger: log } = options;
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    principal: Principal,
    requestId: string,
  ): Promise<void> {
    if (!ROUTES.has(pathname)) return sendJson(res, 404, graphqlErrorBody(`no route for ${pathname}`, 'NOT_FOUND'));
    if (req.method !== 'POST')
      return sendJson(res, 405, graphqlErrorBody('imports are POSTed', 'METHOD_NOT_ALLOWED'), { allow: 'POST' });
    if (principal.kind === 'anonymous')
      return sendJson(res, 401, graphqlErrorBody('sign in to import', 'UNAUTHENTICATED'), { 'www-authenticate': 'Bearer' });
    const target = new URL(pathname + new URL(req.url ?? '/', 'http://localhost').search, options.accessUrl);
    await new Promise<void>((resolve) => {
      let answered = false;
      const upstream = httpRequest(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': req.headers['content-type'] ?? 'text/csv',
            // application/x-ndjson asks access for progress lines while the import runs
            ...(req.headers.accept ? { accept: req.headers.accept } : {}),
            [PRINCIPAL_HEADER]: signPrincipal(principal, principalSecret),
            'x-request-id': requestId,
          },
        },
        (answer) => {
          answered = true;
          res.writeHead(answer.statusCode ?? 502, {
            'content-type': answer.headers['content-type'] ?? 'application/json; charset=utf-8',
            // access answered before reading the whole body (a refused import): do not wait for the rest
            ...(req.complete ? {} : { connection: 'close' }),
          });
          pipeline(answer, res).then(resolve, (err) => {
            log.warn({ err, requestId }, 'import answer interrupted');
            resolve();
          });
        },
      );
      upstream.on('error', (err) => {
        if (answered) return; // the answer is on its way; a body access stopped reading no longer matters
        log.error({ err, requestId }, 'import could not reach access');
        if (!res.headersSent)
          sendJson(res, 502, graphqlErrorBody('the access subgraph is unavailable; try again later', 'SUBGRAPH_UNAVAILABLE'), {
            connection: 'close',
            'retry-after': '30',
          });
        resolve();
      });
      // a client that goes away mid-upload aborts the upstream request too (an all-or-nothing import rolls back)
      pipeline(req, upstream).catch(() => upstream.destroy());
    });
  };
}
