import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, PRINCIPAL_HEADER, sendJson, verifyPrincipal, type Principal } from '@eventgraph/runtime';
import type { Authenticated } from '../src/auth/authenticator';
import { createIngestRoutes } from '../src/ingest-routes';

/**
 * The gateway's forwarding of pushes and uploads, over real HTTP: a stand-in for ingest's routes records what
 * arrives, and the gateway's authentication and rate limit are the two decisions handed to the routes.
 */

const SECRET = 'ingest-routes-test-secret-0123456789';
const ADMIN: Principal = { kind: 'user', id: 'u-1', memberships: [{ organizationId: 'o-1', role: 'ADMIN' }], scopes: [] };
const received: { url: string; headers: IncomingHttpHeaders; body: string; principal: Principal }[] = [];
let ingest: Server;
let gateway: Server;
let gatewayUrl: string;
/** what the next request's authentication and rate limit decide */
let caller: Authenticated | 'refused' = { principal: ADMIN };
let anonymousAdmitted = true;

beforeAll(async () => {
  ingest = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const principal = verifyPrincipal(req.headers[PRINCIPAL_HEADER] as string, SECRET);
      received.push({ url: req.url!, headers: req.headers, body, principal });
      sendJson(res, 200, { runId: 'r-1', status: 'SUCCEEDED' });
    });
  });
  await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
  const handle = createIngestRoutes({
    ingestUrl: `http://127.0.0.1:${(ingest.address() as AddressInfo).port}/graphql`,
    principalSecret: SECRET,
    logger: createLogger('test', 'silent'),
    authenticate: async (_req, res) => {
      if (caller !== 'refused') return caller;
      sendJson(res, 401, { errors: [{ message: 'bad token', extensions: { code: 'UNAUTHENTICATED' } }] });
      return undefined;
    },
    admitAnonymous: async (_req, res) => {
      if (!anonymousAdmitted) sendJson(res, 429, { errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }] });
      return anonymousAdmitted;
    },
  });
  gateway = createServer((req, res) => void handle(req, res, new URL(req.url!, 'http://localhost').pathname, 'req-1'));
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await new Promise<void>((resolve) => ingest.close(() => resolve()));
});
beforeEach(() => {
  caller = { principal: ADMIN };
  anonymousAdmitted = true;
});

const post = async (path: string, body: string, headers: Record<string, string> = {}, method = 'POST') => {
  const response = await fetch(gatewayUrl + path, { method, headers, body: method === 'GET' ? undefined : body });
  const json = (await response.json()) as { errors?: { extensions: { code: string } }[] };
  return { status: response.status, code: json.errors?.[0]?.extensions.code, json };
};

const SOURCE = '6f1c1f4e-5b7a-4d3e-9c2a-0d8e7f6a5b4c';

describe('forwarding /ingest/sources/:id/…', () => {
  it('forwards a push as anonymous, with its signature and body, without asking for a credential', async () => {
    caller = 'refused'; // a push never authenticates: the signature is its credential
    const answer = await post(`/ingest/sources/${SOURCE}/push`, '{"events":[]}', {
      'content-type': 'application/json',
      'x-eventgraph-signature': 't=1,v1=ab',
    });
    expect(answer).toMatchObject({ status: 200, json: { runId: 'r-1' } });
    const last = received.at(-1)!;
    expect(last.url).toBe(`/ingest/push?sourceId=${SOURCE}`);
    expect(last.headers['x-eventgraph-signature']).toBe('t=1,v1=ab');
    expect(last.body).toBe('{"events":[]}');
    expect(last.principal.kind).toBe('anonymous');
  });

  it('holds a push to the anonymous rate limit of the client’s address', async () => {
    anonymousAdmitted = false;
    const before = received.length;
    expect(await post(`/ingest/sources/${SOURCE}/push`, '{}', { 'content-type': 'application/json' })).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
    });
    expect(received.length).toBe(before);
  });

  it('forwards an upload with the caller’s signed principal', async () => {
    const answer = await post(`/ingest/sources/${SOURCE}/upload`, 'BEGIN:VCALENDAR', { 'content-type': 'text/calendar' });
    expect(answer.status).toBe(200);
    const last = received.at(-1)!;
    expect(last.url).toBe(`/ingest/upload?sourceId=${SOURCE}`);
    expect(last.headers['content-type']).toBe('text/calendar');
    expect(last.principal).toMatchObject({ kind: 'user', id: 'u-1' });
  });

  it('refuses uploads from unauthenticated callers and trusted-documents keys before reaching ingest', async () => {
    const before = received.length;
    caller = 'refused';
    expect((await post(`/ingest/sources/${SOURCE}/upload`, 'x', { 'content-type': 'text/csv' })).code).toBe('UNAUTHENTICATED');
    caller = { principal: { kind: 'anonymous', memberships: [], scopes: [] } };
    expect(await post(`/ingest/sources/${SOURCE}/upload`, 'x', { 'content-type': 'text/csv' })).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    caller = { principal: { ...ADMIN, kind: 'apiKey' }, trustedDocumentsOf: 'app-1' };
    expect(await post(`/ingest/sources/${SOURCE}/upload`, 'x', { 'content-type': 'text/csv' })).toMatchObject({
      status: 403,
      code: 'UNTRUSTED_OPERATION',
    });
    expect(received.length).toBe(before);
  });

  it('knows only POST to push and upload of a source id', async () => {
    expect((await post(`/ingest/sources/${SOURCE}/push`, '', {}, 'GET')).status).toBe(405);
    expect((await post(`/ingest/sources/${SOURCE}/delete`, '')).status).toBe(404);
    expect((await post('/ingest/sources/..%2Fgraphql/push', '')).status).toBe(404);
  });
});
