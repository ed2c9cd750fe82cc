import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Resolve } from '@eventgraph/runtime';
import { FeedError, type FetchErrorCode } from '../../src/domain/records';
import { fetchFeed, type FetchedBody, type FetchOptions } from '../../src/fetch';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Concerts</title></channel></rss>';
const ETAG = '"feed-v1"';
const LAST_MODIFIED = 'Wed, 02 Dec 2026 10:00:00 GMT';

/** A feed host on this machine: each path is one behaviour a real feed server can have. */
let server: Server;
let base: string;
let port: number;
const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    seen.push({ path: url.pathname, headers: req.headers });
    const hops = Number(url.searchParams.get('hops') ?? 0);
    switch (url.pathname) {
      case '/feed.xml':
        if (req.headers['if-none-match'] === ETAG || req.headers['if-modified-since'] === LAST_MODIFIED)
          return res.writeHead(304, { etag: ETAG }).end();
        return res
          .writeHead(200, { 'content-type': 'application/rss+xml', etag: ETAG, 'last-modified': LAST_MODIFIED })
          .end(FEED);
      case '/gzipped.xml':
        return res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(gzipSync(FEED));
      case '/corrupt.xml':
        return res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip');
      case '/chain':
        return res.writeHead(302, { location: hops > 0 ? `/chain?hops=${hops - 1}` : '/feed.xml' }).end();
      case '/loop-a':
        return res.writeHead(301, { location: '/loop-b' }).end();
      case '/loop-b':
        return res.writeHead(307, { location: `${base}/loop-a` }).end();
      case '/elsewhere':
        return res.writeHead(302, { location: url.searchParams.get('to')! }).end();
      case '/silent':
        return; // never answers
      case '/stalls':
        res.writeHead(200, { 'content-type': 'text/calendar' });
        return res.write('BEGIN:VCALENDAR\r\n'); // and never ends
      case '/declared-huge':
        return res.writeHead(200, { 'content-length': String(50_000) }).end('x'.repeat(50_000));
      case '/streamed-huge':
        res.writeHead(200, { 'content-type': 'text/csv' }); // chunked: no length to judge up front
        for (let i = 0; i < 50; i++) res.write('y'.repeat(1_000));
        return res.end();
      case '/broken':
        return res.writeHead(500).end('upstream failure');
      case '/gone':
        return res.writeHead(410).end();
      default:
        return res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The failure a fetch ends with (a fetch expected to fail that succeeds fails the test). */
async function failureOf(url: string, options: FetchOptions = {}): Promise<{ code: FetchErrorCode; httpStatus?: number }> {
  try {
    await fetchFeed(url, options);
  } catch (err) {
    if (!(err instanceof FeedError)) throw err;
    return { code: err.code, httpStatus: err.httpStatus };
  }
  throw new Error(`${url} was fetched but should have failed`);
}

const fetched = async (url: string, options: FetchOptions = {}) => {
  const result = await fetchFeed(url, options);
  if (result.notModified) throw new Error(`${url} answered 304 unexpectedly`);
  return result as FetchedBody;
};

describe('fetching a feed', () => {
  it('returns the body with its type, validators and size', async () => {
    const result = await fetched(`${base}/feed.xml`);
    expect(result.body.toString('utf8')).toBe(FEED);
    expect(result).toMatchObject({
      contentType: 'application/rss+xml',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      httpStatus: 200,
      finalUrl: `${base}/feed.xml`,
      bytes: Buffer.byteLength(FEED),
    });
    expect(seen.at(-1)!.headers['user-agent']).toMatch(/^Eventgraph-Ingest\//);
  });

  it('sends the last validators and reports an unchanged feed as not modified', async () => {
    expect(await fetchFeed(`${base}/feed.xml`, { etag: ETAG })).toEqual({
      notModified: true,
      etag: ETAG,
      lastModified: null,
      httpStatus: 304,
      finalUrl: `${base}/feed.xml`,
    });
    expect(seen.at(-1)!.headers['if-none-match']).toBe(ETAG);
    expect((await fetchFeed(`${base}/feed.xml`, { lastModified: LAST_MODIFIED })).notModified).toBe(true);
    expect(seen.at(-1)!.headers['if-modified-since']).toBe(LAST_MODIFIED);
    // stale validators get the full body
    expect((await fetched(`${base}/feed.xml`, { etag: '"feed-v0"' })).httpStatus).toBe(200);
  });

  it('decompresses a gzipped body', async () => {
    const result = await fetched(`${base}/gzipped.xml`);
    expect(result.body.toString('utf8')).toBe(FEED);
    expect(result.bytes).toBe(Buffer.byteLength(FEED));
  });
});

describe('redirects', () => {
  it('follows up to the limit and reports where the body came from', async () => {
    const result = await fetched(`${base}/chain?hops=3`, { maxRedirects: 5 });
    expect(result.finalUrl).toBe(`${base}/feed.xml`);
    expect(await failureOf(`${base}/chain?hops=3`, { maxRedirects: 3 })).toEqual({ code: 'TOO_MANY_REDIRECTS', httpStatus: 302 });
    expect((await fetched(`${base}/chain?hops=2`, { maxRedirects: 3 })).httpStatus).toBe(200);
  });

  it('stops a loop at once, before the limit is spent', async () => {
    const before = seen.length;
    expect((await failureOf(`${base}/loop-a`, { maxRedirects: 50 })).code).toBe('TOO_MANY_REDIRECTS');
    expect(seen.slice(before).map((r) => r.path)).toEqual(['/loop-a', '/loop-b']);
  });

  it('refuses a redirect to a scheme other than http and https', async () => {
    expect((await failureOf(`${base}/elsewhere?to=${encodeURIComponent('file:///etc/passwd')}`)).code).toBe('UNREACHABLE');
  });
});

describe('credentials', () => {
  it.each([
    { credentials: { kind: 'API_KEY', header: 'X-Api-Key', value: 'k-123' } as const, header: 'x-api-key', value: 'k-123' },
    { credentials: { kind: 'BEARER', token: 't-456' } as const, header: 'authorization', value: 'Bearer t-456' },
    {
      credentials: { kind: 'BASIC', username: 'partner', password: 'p:w' } as const,
      header: 'authorization',
      value: `Basic ${Buffer.from('partner:p:w').toString('base64')}`,
    },
  ])('sends $credentials.kind credentials in the $header header', async ({ credentials, header, value }) => {
    await fetched(`${base}/feed.xml`, { credentials });
    expect(seen.at(-1)!.headers[header]).toBe(value);
  });

  it('keeps them on redirects within the origin, never sends them to another origin', async () => {
    const credentials = { kind: 'BEARER', token: 'secret-token' } as const;
    await fetched(`${base}/chain?hops=1`, { credentials });
    expect(seen.at(-1)!.headers.authorization).toBe('Bearer secret-token');
    // localhost and 127.0.0.1 are different origins, although the same server
    const before = seen.length;
    await fetched(`${base}/elsewhere?to=${encodeURIComponent(`http://localhost:${port}/feed.xml`)}`, { credentials });
    const [first, second] = seen.slice(before);
    expect(first!.headers.authorization).toBe('Bearer secret-token');
    expect(second!.path).toBe('/feed.xml');
    expect(second!.headers.authorization).toBeUndefined();
  });
});

describe('failures', () => {
  it('gives up on a silent server and on a body that stops arriving', async () => {
    const started = Date.now();
    expect((await failureOf(`${base}/silent`, { timeoutMs: 200 })).code).toBe('TIMEOUT');
    expect((await failureOf(`${base}/stalls`, { timeoutMs: 200 })).code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a body over the cap, whether declared up front or streamed', async () => {
    expect(await failureOf(`${base}/declared-huge`, { maxBytes: 10_000 })).toEqual({ code: 'BODY_TOO_LARGE', httpStatus: 200 });
    expect((await failureOf(`${base}/streamed-huge`, { maxBytes: 10_000 })).code).toBe('BODY_TOO_LARGE');
    expect((await fetched(`${base}/streamed-huge`, { maxBytes: 50_000 })).bytes).toBe(50_000);
  });

  it('reports a compressed body that does not decompress as malformed', async () => {
    expect((await failureOf(`${base}/corrupt.xml`)).code).toBe('MALFORMED_FEED');
  });

  it('reports error statuses with the status', async () => {
    expect(await failureOf(`${base}/broken`)).toEqual({ code: 'HTTP_ERROR', httpStatus: 500 });
    expect(await failureOf(`${base}/gone`)).toEqual({ code: 'HTTP_ERROR', httpStatus: 410 });
  });

  it('reports a port nobody listens on and a name that does not resolve as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await failureOf(`http://127.0.0.1:${closedPort}/feed.xml`)).code).toBe('UNREACHABLE');
    const nowhere: Resolve = (hostname, _options, callback) =>
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    expect((await failureOf('http://feeds.invalid/feed.xml', { resolve: nowhere })).code).toBe('UNREACHABLE');
  });
});

describe('private targets', () => {
  /** DNS as a hostile partner could set it up: every name points at this machine */
  const toLoopback: Resolve = (_hostname, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);

  it('refuses address literals and localhost before any request when denied, and allows them otherwise', async () => {
    const before = seen.length;
    expect((await failureOf(`${base}/feed.xml`, { privateTargets: 'deny' })).code).toBe('PRIVATE_ADDRESS');
    expect((await failureOf(`http://localhost:${port}/feed.xml`, { privateTargets: 'deny' })).code).toBe('PRIVATE_ADDRESS');
    expect((await failureOf(`http://[::1]:${port}/feed.xml`, { privateTargets: 'deny' })).code).toBe('PRIVATE_ADDRESS');
    expect(seen.length).toBe(before);
    expect((await fetched(`${base}/feed.xml`, { privateTargets: 'allow' })).httpStatus).toBe(200);
  });

  it('refuses a name that resolves to a private address, judged on the address connected to', async () => {
    const before = seen.length;
    const refused = await failureOf(`http://feeds.example.com:${port}/feed.xml`, { privateTargets: 'deny', resolve: toLoopback });
    expect(refused.code).toBe('PRIVATE_ADDRESS');
    expect(seen.length).toBe(before);
    // the same resolver, allowed: the request does reach this machine
    expect((await fetched(`http://feeds.example.com:${port}/feed.xml`, { resolve: toLoopback })).httpStatus).toBe(200);
  });

  it('checks every redirect hop: a trusted feed host cannot bounce the fetch to a private address', async () => {
    const trusted: FetchOptions = { privateTargets: 'deny', privateHostsAllowed: ['feeds.internal'], resolve: toLoopback };
    expect((await fetched(`http://feeds.internal:${port}/feed.xml`, trusted)).httpStatus).toBe(200);
    for (const to of [`http://127.0.0.1:${port}/feed.xml`, `http://metadata.example.com:${port}/feed.xml`]) {
      const before = seen.length;
      const refused = await failureOf(`http://feeds.internal:${port}/elsewhere?to=${encodeURIComponent(to)}`, trusted);
      expect(refused.code).toBe('PRIVATE_ADDRESS');
      expect(seen.slice(before).map((r) => r.path)).toEqual(['/elsewhere']);
    }
  });
});
