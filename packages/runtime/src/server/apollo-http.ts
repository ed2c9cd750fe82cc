import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

/** Requests larger than this are refused before parsing. */
const MAX_BODY_BYTES = 1024 * 1024;

export class RequestTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestTooLarge(`request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const graphqlErrorBody = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/**
 * Serves one GraphQL request through Apollo Server's transport-neutral
 * `executeHTTPGraphQLRequest`: the thin adapter between Node's http module and
 * Apollo, so no web framework sits in the request path.
 */
export async function handleGraphQLRequest<C extends BaseContext>(
  apollo: ApolloServer<C>,
  req: IncomingMessage,
  res: ServerResponse,
  context: () => Promise<C>,
  /** payloads that follow the initial one (deferred fragments), when the executor left any */
  laterPayloads?: () => AsyncIterable<unknown> | undefined,
): Promise<void> {
  let body: string;
  try {
    body = await readBody(req);
  } catch (err) {
    if (err instanceof RequestTooLarge) return sendJson(res, 413, graphqlErrorBody(err.message, 'BAD_REQUEST'));
    throw err;
  }
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  let parsedBody: unknown = body;
  if (body && (headers.get('content-type') ?? '').includes('application/json')) {
    try {
      parsedBody = JSON.parse(body);
    } catch {
      return sendJson(res, 400, graphqlErrorBody('request body is not valid JSON', 'BAD_REQUEST'));
    }
  }
  const named = documentIdAsPersistedQuery(parsedBody, url.searchParams);
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: named },
    context,
  });
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  const later = laterPayloads?.();
  if (later && response.body.kind === 'complete') return writeMultipart(res, response.body.string, later);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Each part is followed by the boundary at once, so a client knows it is complete before the next one comes. */
const FIRST = '\r\n---';
const PART = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';
const NEXT = '\r\n---';
const END = '--\r\n';

/**
 * Incremental delivery over HTTP as Apollo Router and Apollo Client speak it (`multipart/mixed`,
 * boundary `-`, deferSpec 20220824): the initial result marked `hasNext`, then each later payload.
 */
async function writeMultipart(res: ServerResponse, initial: string, later: AsyncIterable<unknown>): Promise<void> {
  res.removeHeader('content-length');
  res.setHeader('content-type', 'multipart/mixed;boundary="-";deferSpec=20220824');
  // Apollo Server's body is one JSON object: `hasNext` goes in before its closing brace
  const body = initial.trimEnd();
  res.write(`${FIRST}${PART}${body.slice(0, -1)}${body.length > 2 ? ',' : ''}"hasNext":true}${NEXT}`);
  for await (const payload of later) res.write(`${PART}${JSON.stringify(payload)}${NEXT}`);
  res.end(END);
}

/**
 * Hive's convention names a persisted document by a top-level `documentId` (here: the sha256 of its text,
 * optionally written `sha256:<hex>`); Apollo Server reads only Apollo's `extensions.persistedQuery`, so the
 * one is turned into the other, in a POST body or a GET's search parameters (which are changed in place).
 */
function documentIdAsPersistedQuery(body: unknown, search: URLSearchParams): unknown {
  const asPersisted = (id: string) => ({ version: 1, sha256Hash: id.replace(/^sha256:/, '') });
  const getId = search.get('documentId');
  if (getId && !search.get('query')) {
    let extensions: Record<string, unknown>;
    try {
      extensions = JSON.parse(search.get('extensions') ?? '{}') as Record<string, unknown>;
    } catch {
      return body; // Apollo answers the malformed extensions itself
    }
    search.set('extensions', JSON.stringify({ ...extensions, persistedQuery: asPersisted(getId) }));
    search.delete('documentId');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { documentId, ...rest } = body as Record<string, unknown>;
  if (typeof documentId !== 'string' || rest.query !== undefined) return body;
  const extensions = rest.extensions && typeof rest.extensions === 'object' ? rest.extensions : {};
  return { ...rest, extensions: { ...extensions, persistedQuery: asPersisted(documentId) } };
}
