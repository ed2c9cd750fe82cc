/**
 * The partner site's server: the built single-page app (vite build → dist/) and `/config.json`, which tells the
 * page where the gateway is and which publishable key to call it with. The page talks to the gateway itself,
 * cross-origin; this server never proxies API calls, so it needs no secret of its own.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** What the page reads from /config.json. */
export interface PartnerSiteConfig {
  /** the gateway's GraphQL endpoint, e.g. https://api.eventgraph.example/graphql */
  gatewayUrl: string;
  /** the graphql-ws endpoint; default: gatewayUrl with http(s) → ws(s) */
  wsUrl?: string;
  /** the partner app's API key (events:read): it is sent by every visitor's browser, so it is public by design */
  apiKey: string;
  /** the partner app is in trusted-documents mode: the page sends its registered operations by hash only */
  trustedDocuments?: boolean;
}

export interface PartnerSiteServerOptions {
  config: PartnerSiteConfig;
  /** the built app; default examples/partner-site/dist */
  distDir?: string;
  /** default 0: any free port */
  port?: number;
  /** default: every interface (browsers resolve `localhost` to ::1 or 127.0.0.1) */
  host?: string;
}

export interface PartnerSiteServer {
  /** e.g. http://localhost:5173 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const DIST_DIR = resolve(__dirname, '..', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** The page may call its gateway (HTTP and graphql-ws) and nothing else; logos may come from https or data: URLs. */
function contentSecurityPolicy(config: PartnerSiteConfig): string {
  const http = new URL(config.gatewayUrl);
  const ws = new URL(config.wsUrl ?? config.gatewayUrl.replace(/^http(s?):/i, 'ws$1:'));
  return [
    "default-src 'self'",
    `connect-src 'self' ${http.origin} ${ws.protocol}//${ws.host}`,
    "img-src 'self' data: https:",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

export async function startPartnerSiteServer(options: PartnerSiteServerOptions): Promise<PartnerSiteServer> {
  const distDir = resolve(options.distDir ?? DIST_DIR);
  const index = join(distDir, 'index.html');
  if (!(await stat(index).catch(() => null))?.isFile())
    throw new Error(`${index} is missing: build the site first (npm run partner-site:build -w examples)`);
  const config: PartnerSiteConfig = { ...options.config, gatewayUrl: new URL(options.config.gatewayUrl).href };
  const headers = {
    'content-security-policy': contentSecurityPolicy(config),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };

  async function sendFile(res: ServerResponse, path: string, method: string, cache: string): Promise<void> {
    const info = await stat(path);
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': cache,
    });
    if (method === 'HEAD') return void res.end();
    createReadStream(path).pipe(res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      return void res.end();
    }
    const { pathname } = new URL(req.url ?? '/', 'http://site');
    if (pathname === '/config.json') {
      const body = JSON.stringify(config);
      res.writeHead(200, { ...headers, 'content-type': TYPES['.json']!, 'cache-control': 'no-store' });
      return void res.end(method === 'HEAD' ? undefined : body);
    }
    // a file of the build (never outside it), else the app itself, which routes /events/<id> and the search
    const path = normalize(join(distDir, decodeURIComponent(pathname)));
    if (path.startsWith(distDir + sep) && (await stat(path).catch(() => null))?.isFile())
      // Vite names assets by content hash: they never change under the same name
      return sendFile(res, path, method, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (pathname.startsWith('/assets/') || extname(pathname)) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('not found\n');
    }
    return sendFile(res, index, method, 'no-cache');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
    });
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host, ready);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
