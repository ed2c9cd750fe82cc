import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { graphqlErrorBody, sendJson } from '@eventgraph/runtime';
import { readAsset } from './assets';
import { CONTENT_SECURITY_POLICY, graphiqlPage, START_SCRIPT } from './page';

/**
 * GraphiQL, served by the gateway from its own packages (works offline). As Hive Gateway (GraphQL Yoga) and
 * Apollo Router do, a browser opening the GraphQL endpoint (GET /graphql asking for text/html) gets the IDE;
 * its scripts and styles are under /graphiql/. On by default outside production (EVENTGRAPH_GRAPHIQL=on|off).
 */
export const GRAPHIQL_ASSETS = '/graphiql/';

export const graphiqlSettings = {
  /** GraphiQL on GET /graphql for browsers: on or off. Default: on while developing, off in production. */
  EVENTGRAPH_GRAPHIQL: z.enum(['on', 'off']).optional(),
};

export const graphiqlEnabled = (setting: 'on' | 'off' | undefined, nodeEnv: string | undefined) =>
  (setting ?? (nodeEnv === 'production' ? 'off' : 'on')) === 'on';

/** Paths the IDE may answer: the endpoint itself (for browsers) and its assets. */
export const isGraphiQLPath = (endpoint: string) => (pathname: string) =>
  pathname === endpoint || pathname.startsWith(GRAPHIQL_ASSETS);

/** A browser's navigation: GET (or HEAD) that prefers HTML. GraphQL GET requests ask for JSON. */
const wantsPage = (req: IncomingMessage) =>
  (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(req.headers.accept ?? '');

/**
 * Answers the IDE's requests; false when the request is the GraphQL endpoint's (the caller serves it then).
 * When off, asset paths are 404 and browsers get the endpoint's ordinary answer.
 */
export function createGraphiQL(options: { enabled: boolean; endpoint: string }) {
  const page = graphiqlPage(options.endpoint, GRAPHIQL_ASSETS);
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === options.endpoint) {
      if (!options.enabled || !wantsPage(req)) return false;
      send(req, res, 'text/html; charset=utf-8', page, { 'content-security-policy': CONTENT_SECURITY_POLICY });
      return true;
    }
    const name = pathname.slice(GRAPHIQL_ASSETS.length);
    const asset = !options.enabled
      ? undefined
      : name === 'start.js'
        ? { body: START_SCRIPT, type: 'text/javascript; charset=utf-8' }
        : await readAsset(name);
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) {
      sendJson(res, 404, graphqlErrorBody(`no route for ${pathname}`, 'NOT_FOUND'));
      return true;
    }
    // the packages' versions change only with a deployment: browsers revalidate within the hour
    send(req, res, asset.type, asset.body, { 'cache-control': 'public, max-age=3600' });
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string | Buffer, headers: Record<string, string>) {
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(Buffer.byteLength(body)),
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The gateway's own origins, as the IDE's page sends them on its POSTs: same-origin requests, admitted like the
 * platform's sites. Behind a proxy the public origin differs: list it in EVENTGRAPH_CORS_ORIGINS.
 */
export function ownOrigins(host: string, port: number): string[] {
  const hosts = host === '0.0.0.0' || host === '127.0.0.1' || host === '::' ? ['localhost', '127.0.0.1'] : [host];
  return hosts.map((h) => `http://${h}:${port}`);
}
