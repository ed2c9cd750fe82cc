import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkOrigin, graphqlErrorBody, sendJson } from '@eventgraph/runtime';

/**
 * Cross-origin calls from browsers. Origins are listed, never matched by
 * pattern: the platform's own sites (EVENTGRAPH_CORS_ORIGINS) and each partner
 * app's site (its white-label `allowedOrigins`). A partner API key may be used
 * from the platform's origins and its own app's only; any other caller (no
 * credential, a user's token) from any listed origin. A request from an origin
 * that may not call gets no CORS headers and no data: it is refused with 403
 * ORIGIN_NOT_ALLOWED before anything runs, though a browser would not show it
 * anyway. Requests without an Origin header (servers, scripts, curl) are not
 * browsers' and pass as before; Apollo's CSRF prevention still guards the
 * simple requests a page could send without a preflight.
 */

export const ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED';

const ALLOW_METHODS = 'GET, POST';
// x-eventgraph-acting-for: a partner site acting for its signed-in customer (with their grant)
const ALLOW_HEADERS =
  'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, last-event-id, x-eventgraph-acting-for';
/** what a page may read of a response: the wait before retrying a RATE_LIMITED request, the id to quote in a report */
const EXPOSE_HEADERS = 'retry-after, x-request-id';
/** how long a browser may reuse a preflight's answer (Chromium caps it at 2 h) */
const MAX_AGE_SECONDS = 600;
const CORS_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-expose-headers',
] as const;

export interface OriginPolicy {
  /** the platform's own sites: may call with any credential */
  platformOrigins: ReadonlySet<string>;
  /** every origin some partner app lists (cached; evicted when a partner app changes) */
  partnerOrigins(): Promise<ReadonlySet<string>>;
}

/** A partner key's own origins; absent for every other kind of caller. */
export interface OriginCaller {
  allowedOrigins?: readonly string[];
}

/**
 * `EVENTGRAPH_CORS_ORIGINS`: comma-separated origins. Each is scheme, host and
 * optional port (`https://app.example.com`, `http://localhost:5173`), kept in
 * the form browsers send; no paths, no wildcards.
 */
export function parseOriginList(text: string | undefined): string[] {
  const origins = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const checked = origins.map((origin) => {
    // the platform's own configuration: plain http is the operator's call
    const result = checkOrigin(origin, 'anywhere');
    if (!result.ok) throw new Error(`${origin}: ${result.message}`);
    return result.value;
  });
  return [...new Set(checked)];
}

/** The Origin header of a browser's request; absent for other clients. */
export function requestOrigin(req: IncomingMessage): string | undefined {
  const value = req.headers.origin;
  return Array.isArray(value) ? value[0] : value;
}

/** May a request from this origin be answered at all, before its caller is known (preflights, upgrades, feeds)? */
export async function isListedOrigin(policy: OriginPolicy, origin: string): Promise<boolean> {
  return policy.platformOrigins.has(origin) || (await policy.partnerOrigins()).has(origin);
}

/** May this caller call from this origin? A partner key only from the platform's sites and its own. */
export async function mayCallFrom(policy: OriginPolicy, origin: string, caller: OriginCaller): Promise<boolean> {
  if (policy.platformOrigins.has(origin)) return true;
  if (caller.allowedOrigins) return caller.allowedOrigins.includes(origin);
  return (await policy.partnerOrigins()).has(origin);
}

/** Lets the page at `origin` read this response. */
export function allowOrigin(res: ServerResponse, origin: string): void {
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
}

/** Refuses a browser's request from an origin that may not call: 403, no CORS headers, no data. */
export function refuseOrigin(res: ServerResponse, origin: string): void {
  for (const name of CORS_HEADERS) res.removeHeader(name);
  sendJson(res, 403, graphqlErrorBody(`requests from ${originForMessage(origin)} are not allowed`, ORIGIN_NOT_ALLOWED));
}

/**
 * OPTIONS: a preflight from a listed origin is answered 204 with what may be
 * sent; from any other origin 403 with no CORS headers, so the browser blocks
 * the request. An OPTIONS without Origin just learns the methods.
 */
export async function answerPreflight(req: IncomingMessage, res: ServerResponse, policy: OriginPolicy): Promise<void> {
  const origin = requestOrigin(req);
  if (!origin) {
    res.writeHead(204, { allow: `${ALLOW_METHODS}, OPTIONS` });
    return void res.end();
  }
  if (!(await isListedOrigin(policy, origin))) return refuseOrigin(res, origin);
  allowOrigin(res, origin);
  res.writeHead(204, {
    'access-control-allow-methods': ALLOW_METHODS,
    'access-control-allow-headers': ALLOW_HEADERS,
    'access-control-max-age': String(MAX_AGE_SECONDS),
  });
  res.end();
}

/**
 * The browser's side of every route: preflights answered, other requests from an origin no one lists refused
 * before anything runs; from a listed origin the response may be read (a partner key is checked against its
 * own app's origins once it is known: `mayCallFrom`). True when the request may go on to its route.
 */
export async function admitBrowserRequest(req: IncomingMessage, res: ServerResponse, policy: OriginPolicy): Promise<boolean> {
  res.setHeader('vary', 'Origin');
  if (req.method === 'OPTIONS') {
    await answerPreflight(req, res, policy);
    return false;
  }
  const origin = requestOrigin(req);
  if (!origin) return true;
  if (!(await isListedOrigin(policy, origin))) {
    refuseOrigin(res, origin);
    return false;
  }
  allowOrigin(res, origin);
  return true;
}

/** A WebSocket upgrade from a page (browsers send its Origin) is let through from listed origins only. */
export async function mayUpgrade(req: IncomingMessage, policy: OriginPolicy): Promise<boolean> {
  const origin = requestOrigin(req);
  return !origin || (await isListedOrigin(policy, origin));
}

/** An Origin header is the client's text: quote it short, without control characters. */
const originForMessage = (origin: string) => JSON.stringify(origin.slice(0, 200));
