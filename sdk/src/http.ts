import { ClientErrorCode, EventgraphError, isEventgraphError, type EventgraphGraphQLError } from './errors';
import { mergeAt, multipartBoundary, multipartPayloads, responseText } from './incremental';

/** The part of the Fetch API the client uses: the global fetch of browsers, Node ≥ 18, Deno, Bun and React Native fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{
  status: number;
  headers?: { get(name: string): string | null };
  text(): Promise<string>;
  /** a readable stream (fetch's `body`): deferred parts are read as they arrive when present */
  body?: { getReader?: () => { read(): Promise<{ done: boolean; value?: Uint8Array }> } } | null;
}>;

/** What one POST sends: the document's text, or only its hash (persisted / trusted documents). */
export interface GraphQLRequestBody {
  query?: string;
  variables: Record<string, unknown>;
  operationName?: string;
  extensions?: { persistedQuery: { version: 1; sha256Hash: string } };
}

export interface HttpAttempt {
  url: string;
  fetch: FetchLike;
  headers: Record<string, string>;
  body: GraphQLRequestBody;
  timeoutMs: number;
  /** aborted by client.close() */
  closing: AbortSignal;
  /** the caller's own signal */
  signal?: AbortSignal;
}

const clientClosed = () => new EventgraphError('the Eventgraph client is closed', { code: ClientErrorCode.CLIENT_CLOSED });
export { clientClosed };

/**
 * One POST of a GraphQL request: its data, or an EventgraphError for every way
 * it can fail (network, timeout, not GraphQL, GraphQL errors). An abort by the
 * caller's signal rejects with the signal's reason, as fetch does.
 */
export async function postGraphQL(attempt: HttpAttempt): Promise<unknown> {
  const { url } = attempt;
  const deadline = requestDeadline(attempt);
  let status: number;
  let text: string;
  let retryAfter: string | null | undefined;
  try {
    const response = await send(attempt, deadline.signal, 'application/graphql-response+json, application/json');
    status = response.status;
    retryAfter = response.headers?.get('retry-after');
    text = await response.text();
  } catch (err) {
    throw deadline.failure(err);
  } finally {
    deadline.end();
  }
  return dataOf(parseBody(text, status, url), status, url, retryAfter);
}

/**
 * One POST of a query with `@defer`: yields the data as it grows, first the initial payload, then
 * after each later part is merged in (one yield when the server answers in one piece). Fails like
 * postGraphQL; errors of a later part fail with the data received so far.
 */
export async function* postIncremental(attempt: HttpAttempt): AsyncGenerator<unknown> {
  const { url } = attempt;
  const deadline = requestDeadline(attempt);
  try {
    const response = await send(attempt, deadline.signal, 'multipart/mixed;deferSpec=20220824, application/json');
    const boundary = multipartBoundary(response.headers?.get('content-type') ?? '');
    if (!boundary) {
      const text = await response.text();
      yield dataOf(parseBody(text, response.status, url), response.status, url, response.headers?.get('retry-after'));
      return;
    }
    let data: Record<string, unknown> | undefined;
    for await (const payload of multipartPayloads(responseText(response), boundary)) {
      if (data === undefined) data = dataOf(payload, response.status, url, undefined) as Record<string, unknown>;
      for (const part of payload.incremental ?? []) {
        if (part.errors?.length) throw EventgraphError.fromResponse(part.errors, data, response.status);
        if (part.data) data = mergeAt(data, part.path, part.data) as Record<string, unknown>;
      }
      yield data;
      if (!payload.hasNext) return;
    }
  } catch (err) {
    throw isEventgraphError(err) ? err : deadline.failure(err);
  } finally {
    deadline.end();
  }
}

function send(attempt: HttpAttempt, signal: AbortSignal, accept: string) {
  return attempt.fetch(attempt.url, {
    method: 'POST',
    headers: { ...attempt.headers, accept: attempt.headers.accept ?? accept },
    body: JSON.stringify(attempt.body),
    signal,
  });
}

/** One signal for close(), the timeout and the caller's signal (no AbortSignal.any/timeout: not in every runtime yet). */
function requestDeadline({ url, closing, signal, timeoutMs }: HttpAttempt) {
  if (closing.aborted) throw clientClosed();
  const abort = new AbortController();
  const outer = [closing, signal].filter((s): s is AbortSignal => !!s);
  const onAbort = () => abort.abort();
  for (const s of outer) {
    if (s.aborted) abort.abort();
    else s.addEventListener('abort', onAbort);
  }
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          abort.abort();
        }, timeoutMs)
      : undefined;
  return {
    signal: abort.signal,
    end() {
      clearTimeout(timer);
      for (const s of outer) s.removeEventListener('abort', onAbort);
    },
    /** what a failed fetch means: the caller's abort, close(), the timeout or the network */
    failure(err: unknown): unknown {
      if (signal?.aborted) return signal.reason ?? err;
      if (closing.aborted) return clientClosed();
      if (timedOut)
        return new EventgraphError(`no answer from ${url} within ${timeoutMs} ms`, { code: ClientErrorCode.TIMEOUT, cause: err });
      return new EventgraphError(`could not reach ${url}: ${messageOf(err)}`, {
        code: ClientErrorCode.NETWORK_ERROR,
        cause: err,
      });
    },
  };
}

type ResponseBody = { data?: unknown; errors?: EventgraphGraphQLError[] };

function parseBody(text: string, status: number, url: string): ResponseBody {
  try {
    return JSON.parse(text) as ResponseBody;
  } catch (err) {
    throw new EventgraphError(`HTTP ${status} from ${url} is not a GraphQL response: ${text.slice(0, 200)}`, {
      code: ClientErrorCode.BAD_RESPONSE,
      status,
      cause: err,
    });
  }
}

/** The data of a GraphQL response, or the EventgraphError its errors (or its lack of data) mean. */
function dataOf(body: ResponseBody, status: number, url: string, retryAfter: string | null | undefined): unknown {
  if (!isObject(body) || (!('data' in body) && !Array.isArray(body.errors)))
    throw new EventgraphError(`HTTP ${status} from ${url} is not a GraphQL response`, {
      code: ClientErrorCode.BAD_RESPONSE,
      status,
    });
  if (body.errors?.length) throw EventgraphError.fromResponse(body.errors, body.data, status, retryAfterMs(retryAfter));
  if (body.data == null)
    throw new EventgraphError(`HTTP ${status} from ${url} has neither data nor errors`, {
      code: ClientErrorCode.BAD_RESPONSE,
      status,
    });
  return body.data;
}

/** Retry-After in milliseconds: delay-seconds or an HTTP date. */
function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null;
}

export function messageOf(err: unknown): string {
  // duck-typed: errors from another realm (a fetch polyfill, a test VM) are not `instanceof Error` here
  if (!isObject(err)) return String(err);
  const own =
    typeof err.message === 'string' && err.message
      ? err.message
      : typeof err.type === 'string'
        ? `${err.type} event`
        : String(err);
  // Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, …) in `cause`
  const cause = isObject(err.cause) ? (typeof err.cause.message === 'string' && err.cause.message) || err.cause.code : undefined;
  return typeof cause === 'string' && cause ? `${own}: ${cause}` : own;
}
