import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { guardedLookup, isPrivateHost, PrivateTargetError, systemResolve, type Resolve } from '@eventgraph/runtime';
import type { FeedCredentials } from '../credentials';
import { FeedError } from '../domain/records';

/**
 * One feed fetch over real HTTP: manual redirects, conditional requests, a byte cap and a deadline, and the
 * private-address policy checked on every hop and on the address actually connected to. Every failure is a
 * FeedError with a code from the closed set in domain/records.ts.
 */

export interface FetchOptions {
  /** the whole fetch, redirects included (default 15 s) */
  timeoutMs?: number;
  /** the body after decompression (default 10 MB): a feed cannot make us hold more */
  maxBytes?: number;
  /** default 5 */
  maxRedirects?: number;
  /** `deny` refuses loopback, private and link-local targets (the production default, INGEST_PRIVATE_TARGETS) */
  privateTargets?: 'allow' | 'deny';
  /** with `deny`, names an operator trusts although they are private (an internal feed host; INGEST_PRIVATE_HOSTS_ALLOWED) */
  privateHostsAllowed?: readonly string[];
  /** validators from the last successful fetch: an unchanged feed answers 304 */
  etag?: string | null;
  lastModified?: string | null;
  /** sent to the feed's own origin only, never to another one it redirects to */
  credentials?: FeedCredentials | null;
  userAgent?: string;
  /** how names become addresses (tests stand in for DNS) */
  resolve?: Resolve;
}

export interface FetchedBody {
  notModified?: false;
  body: Buffer;
  contentType: string | null;
  etag: string | null;
  lastModified: string | null;
  httpStatus: number;
  /** where the body came from, after redirects */
  finalUrl: string;
  bytes: number;
}

/** The feed is unchanged since the validators sent (HTTP 304). */
export interface NotModified {
  notModified: true;
  etag: string | null;
  lastModified: string | null;
  httpStatus: 304;
  finalUrl: string;
}

export const FETCH_DEFAULTS = {
  timeoutMs: 15_000,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'Eventgraph-Ingest/1.0 (+https://eventgraph.dev/ingest)',
} as const;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function credentialHeaders(credentials: FeedCredentials): Record<string, string> {
  switch (credentials.kind) {
    case 'API_KEY':
      return { [credentials.header.toLowerCase()]: credentials.value };
    case 'BASIC':
      return {
        authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`,
      };
    case 'BEARER':
      return { authorization: `Bearer ${credentials.token}` };
  }
}

const headerOf = (response: IncomingMessage, name: string): string | null => {
  const value = response.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
};

/** Fetches a feed; resolves with its body or NotModified, rejects with a FeedError. */
export async function fetchFeed(url: string, options: FetchOptions = {}): Promise<FetchedBody | NotModified> {
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const maxRedirects = options.maxRedirects ?? FETCH_DEFAULTS.maxRedirects;
  const deadline = new AbortController();
  // one deadline for the whole fetch: a chain of slow redirects cannot stretch it
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    let target = parseTarget(url);
    const origin = target.origin;
    const visited = new Set<string>();
    for (let hop = 0; ; hop++) {
      visited.add(target.href);
      const response = await send(target, target.origin === origin, options, deadline.signal, timeoutMs);
      const status = response.statusCode ?? 0;
      const location = headerOf(response, 'location');
      if (REDIRECTS.has(status) && location) {
        response.resume(); // a redirect's body is never read
        const next = parseTarget(location, target);
        if (visited.has(next.href)) throw new FeedError('TOO_MANY_REDIRECTS', `redirect loop at ${next.href}`, status);
        if (hop + 1 > maxRedirects)
          throw new FeedError('TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects from ${url}`, status);
        target = next;
        continue;
      }
      const validators = { etag: headerOf(response, 'etag'), lastModified: headerOf(response, 'last-modified') };
      if (status === 304) {
        response.resume();
        return { notModified: true, ...validators, httpStatus: 304, finalUrl: target.href };
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new FeedError('HTTP_ERROR', `${target.href} answered HTTP ${status}`, status);
      }
      const body = await readCapped(response, target, options.maxBytes ?? FETCH_DEFAULTS.maxBytes, deadline.signal, timeoutMs);
      return {
        body,
        contentType: headerOf(response, 'content-type'),
        ...validators,
        httpStatus: status,
        finalUrl: target.href,
        bytes: body.length,
      };
    }
  } finally {
    clearTimeout(timer);
  }
}

function parseTarget(raw: string, base?: URL): URL {
  let target: URL;
  try {
    target = new URL(raw, base);
  } catch {
    throw new FeedError('UNREACHABLE', `${raw} is not a URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new FeedError('UNREACHABLE', `${target.protocol} URLs cannot be fetched (http and https only)`);
  return target;
}

/** Sends one GET and resolves with the response head; the body is left to the caller. */
function send(target: URL, sameOrigin: boolean, options: FetchOptions, signal: AbortSignal, timeoutMs: number) {
  const denyPrivate = options.privateTargets === 'deny' && !options.privateHostsAllowed?.includes(target.hostname.toLowerCase());
  // literals never reach the lookup hook, so they are judged here; names are judged on the address connected to
  if (denyPrivate && isPrivateHost(target.hostname))
    return Promise.reject(new FeedError('PRIVATE_ADDRESS', `${target.hostname} is a private address`));
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? FETCH_DEFAULTS.userAgent,
    accept: '*/*',
    'accept-encoding': 'gzip, deflate, br',
    ...(options.etag ? { 'if-none-match': options.etag } : {}),
    ...(options.lastModified ? { 'if-modified-since': options.lastModified } : {}),
    ...(sameOrigin && options.credentials ? credentialHeaders(options.credentials) : {}),
  };
  const requestOptions: RequestOptions = {
    method: 'GET',
    headers,
    signal,
    lookup: guardedLookup(options.resolve ?? systemResolve, denyPrivate) as RequestOptions['lookup'],
    // a fresh connection per request: a pooled socket would skip the lookup, and with it this fetch's address policy
    agent: false,
  };
  return new Promise<IncomingMessage>((settle, fail) => {
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, requestOptions, settle);
    request.on('error', (err) => fail(asFeedError(err, target, signal, timeoutMs)));
    request.end();
  });
}

/** The body, decompressed and counted as it arrives; past the cap the connection is dropped. */
function readCapped(
  response: IncomingMessage,
  target: URL,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Buffer> {
  const declared = Number(headerOf(response, 'content-length'));
  const encoding = headerOf(response, 'content-encoding')?.trim().toLowerCase();
  const tooLarge = () => new FeedError('BODY_TOO_LARGE', `the feed is larger than ${maxBytes} bytes`, response.statusCode);
  if (!encoding && declared > maxBytes) {
    response.destroy();
    return Promise.reject(tooLarge());
  }
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  const stream: Readable = decoder ? response.pipe(decoder) : response;
  if (signal.aborted) {
    response.destroy();
    return Promise.reject(new FeedError('TIMEOUT', `the feed did not arrive within ${timeoutMs} ms`));
  }
  return new Promise((settle, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: FeedError) => {
      response.destroy();
      decoder?.destroy();
      fail(err);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return stop(tooLarge());
      chunks.push(chunk);
    });
    stream.on('end', () => settle(Buffer.concat(chunks)));
    stream.on('error', (err) => stop(asFeedError(err, target, signal, timeoutMs)));
    if (decoder) response.on('error', (err) => stop(asFeedError(err, target, signal, timeoutMs)));
    // the deadline aborts the response too; the request's own signal no longer covers a body in flight
    signal.addEventListener('abort', () => stop(new FeedError('TIMEOUT', `the feed did not arrive within ${timeoutMs} ms`)), {
      once: true,
    });
  });
}

/** A socket, DNS, TLS or decompression failure as the fetch's code; the deadline wins over whatever it interrupted. */
function asFeedError(err: unknown, target: URL, signal: AbortSignal, timeoutMs: number): FeedError {
  if (err instanceof FeedError) return err;
  if (err instanceof PrivateTargetError) return new FeedError('PRIVATE_ADDRESS', err.message);
  if (signal.aborted) return new FeedError('TIMEOUT', `${target.host} did not answer within ${timeoutMs} ms`);
  const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
  if (code.startsWith('Z_')) return new FeedError('MALFORMED_FEED', `the body from ${target.host} is not valid compressed data`);
  return new FeedError('UNREACHABLE', `${target.host} could not be reached (${code})`);
}
