import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { graphqlErrorBody, sendJson, sendMetrics, traceHttpRequest, type LoadShedder, type Logger } from '@eventgraph/runtime';
import { mayScrape, type GatewayMetrics } from '../gateway-metrics';
import type { Readiness } from '../readiness';
import { requestLogFields } from '../request-log';

export type Route = (req: IncomingMessage, res: ServerResponse, requestId: string, pathname: string) => Promise<void>;
export type RouteTable = Array<[matches: (pathname: string) => boolean, Route]>;

export interface GatewayHttpServerOptions {
  routes: RouteTable;
  /** false once the gateway is stopping: /health answers 503 */
  alive: () => boolean;
  readiness: () => Promise<Readiness>;
  metrics: GatewayMetrics;
  metricsToken?: string;
  /** CORS preflight and origin checks before a route runs; false when it answered the request itself */
  admit: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** bounds the routed requests served at once (never /health, /ready, /metrics): past it, 503 OVERLOADED */
  shedder?: LoadShedder;
  logger: Logger;
}

/**
 * The gateway's HTTP server: /health (liveness), /ready, /metrics, then the first matching route, each
 * with a request id, a server span continuing the caller's traceparent and an info line when it finishes.
 * A routed request past the load shedder's bounds is answered 503 OVERLOADED at once (after the CORS
 * check, so a browser can read why); health checks and scrapes are never shed.
 */
export function createGatewayHttpServer(options: GatewayHttpServerOptions): Server {
  const { routes, metrics, logger: log } = options;
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/health') {
      const alive = options.alive();
      return sendJson(res, alive ? 200 : 503, { status: alive ? 'ok' : 'stopping', service: 'gateway' });
    }
    if (pathname === '/metrics' && mayScrape(req, options.metricsToken)) return void sendMetrics(metrics.registry, res);
    if (pathname === '/ready')
      return void options
        .readiness()
        .then((report) => sendJson(res, report.ready ? 200 : 503, { ...report, service: 'gateway' }));
    const route = routes.find(([matches]) => matches(pathname))?.[1];
    if (!route) return sendJson(res, 404, graphqlErrorBody(`no route for ${pathname}`, 'NOT_FOUND'));
    const requestId = header(req, 'x-request-id') ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const { operationName, callerKind } = requestLogFields(res);
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      log.info({ requestId, path: pathname, status: res.statusCode, durationMs, operationName, callerKind }, 'request');
    });
    const serve = async () => {
      if ((await options.admit(req, res)) && (options.shedder?.admit(res) ?? true)) await route(req, res, requestId, pathname);
    };
    const failed = (err: unknown) => {
      log.error({ err, requestId }, 'gateway request failed');
      if (!res.headersSent) sendJson(res, 500, graphqlErrorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    };
    // subgraph fetches are children of this span
    traceHttpRequest('gateway', req, res, pathname, () => void serve().catch(failed));
  });
  // idle kept-alive connections stay open longer than clients and load balancers keep theirs (Node's 5 s
  // default is shorter than many): otherwise the server may close one just as a client reuses it (ECONNRESET)
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  return server;
}

const KEEP_ALIVE_MS = 65_000;

/** A request header's (first) value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
