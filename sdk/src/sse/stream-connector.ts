import { ClientErrorCode, EventgraphError } from '../errors';
import type { FetchLike } from '../http';
import { streamRefusal, type StreamConnector, type StreamResponse } from './event-stream';

/** What a stream asks the gateway for: a document POSTed to /graphql/stream, or a named stream's GET. */
export interface StreamTarget {
  url: string;
  method: 'GET' | 'POST';
  /** the POST body, with the document's text or only its hash */
  body?(sendText: boolean): string;
  /** the document has a hash (persisted documents) */
  byHash: boolean;
}

export interface ConnectorSettings {
  fetch: FetchLike;
  /** headers of every attempt (the client's, acting-for, the call's) */
  headers: Record<string, string>;
  token(): Promise<string | undefined>;
  authorization(token: string): string;
  /** true when the credential refreshed after `rejected` was refused */
  refreshAfter(rejected: string): Promise<boolean>;
  persistedDocuments?: boolean | 'hash-only';
  /** the gateway answers once the subgraph accepted the subscription: no answer within this is TIMEOUT (0: no limit) */
  timeoutMs: number;
}

/** fetch with a method and no body (GET), which FetchLike, written for POSTs, does not name */
type StreamFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<StreamResponse>;

/**
 * Opens a stream as the client sends any request: its credential (refreshed once when refused as
 * UNAUTHENTICATED), the acting-for header, the document by hash when so configured (its text once more
 * after PERSISTED_QUERY_NOT_FOUND unless 'hash-only'), and Last-Event-ID when resuming.
 */
export function streamConnector(target: StreamTarget, settings: ConnectorSettings): StreamConnector {
  let sendText = !target.byHash || !settings.persistedDocuments;
  const doFetch = settings.fetch as unknown as StreamFetch;
  return async (lastEventId, signal) => {
    let refreshed = false;
    for (;;) {
      const sent = await settings.token();
      const headers: Record<string, string> = {
        ...settings.headers,
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        ...(target.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      };
      if (sent) headers.authorization = settings.authorization(sent);
      const response = await untilAnswered(settings.timeoutMs, signal, target.url, (attempt) =>
        doFetch(target.url, { method: target.method, headers, body: target.body?.(sendText), signal: attempt }),
      );
      const type = response.headers?.get('content-type') ?? '';
      if (response.status === 200 && type.startsWith('text/event-stream')) return response;
      const refusal = await streamRefusal(response, target.url);
      if (refusal.code === 'PERSISTED_QUERY_NOT_FOUND' && !sendText && settings.persistedDocuments !== 'hash-only') {
        sendText = true;
        continue;
      }
      if (refusal.code === 'UNAUTHENTICATED' && sent && !refreshed) {
        refreshed = true;
        if (await settings.refreshAfter(sent)) continue;
      }
      throw refusal;
    }
  };
}

/** The response of `send`, or TIMEOUT after `timeoutMs`; the signal it gets stays tied to `signal` for the body. */
async function untilAnswered(
  timeoutMs: number,
  signal: AbortSignal,
  url: string,
  send: (signal: AbortSignal) => Promise<StreamResponse>,
): Promise<StreamResponse> {
  const attempt = new AbortController();
  const abort = () => attempt.abort();
  if (signal.aborted) attempt.abort();
  else signal.addEventListener('abort', abort, { once: true });
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          attempt.abort();
        }, timeoutMs)
      : undefined;
  try {
    return await send(attempt.signal);
  } catch (err) {
    if (timedOut)
      throw new EventgraphError(`no answer from ${url} within ${timeoutMs} ms`, { code: ClientErrorCode.TIMEOUT, cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
