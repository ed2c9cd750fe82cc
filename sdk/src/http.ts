import { ClientErrorCode, EventgraphError, type EventgraphGraphQLError } from './errors';

/** The part of the Fetch API the client uses: the global fetch of browsers, Node ≥ 18, Deno, Bun and React Native fits. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; headers?: { get(name: string): string | null }; text(): Promise<string> }>;

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
  const { url, closing, signal, timeoutMs } = attempt;
  if (closing.aborted) throw clientClosed();
  // one signal for close(), the timeout and the caller's signal (no AbortSignal.any/timeout: not in every runtime yet)
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

  let status: number;
  let text: string;
  let retryAfter: string | null | undefined;
  try {
    const response = await attempt.fetch(url, {
      method: 'POST',
      headers: attempt.headers,
      body: JSON.stringify(attempt.body),
      signal: abort.signal,
    });
    status = response.status;
    retryAfter = response.headers?.get('retry-after');
    text = await response.text();
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    if (closing.aborted) throw clientClosed();
    if (timedOut)
      throw new EventgraphError(`no answer from ${url} within ${timeoutMs} ms`, { code: ClientErrorCode.TIMEOUT, cause: err });
    throw new EventgraphError(`could not reach ${url}: ${messageOf(err)}`, { code: ClientErrorCode.NETWORK_ERROR, cause: err });
  } finally {
    clearTimeout(timer);
    for (const s of outer) s.removeEventListener('abort', onAbort);
  }

  let body: { data?: unknown; errors?: EventgraphGraphQLError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch (err) {
    throw new EventgraphError(`HTTP ${status} from ${url} is not a GraphQL response: ${text.slice(0, 200)}`, {
      code: ClientErrorCode.BAD_RESPONSE,
      status,
      cause: err,
    });
  }
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
