import { Agent, errors } from 'undici';

/** A POST of a GraphQL request to a subgraph: its status and body, read whole. */
export type SubgraphPost = (url: string, init: SubgraphPostInit) => Promise<{ status: number; text: string }>;

export interface SubgraphPostInit {
  headers: Record<string, string>;
  body: string;
  /** no answer headers in this time, or no body bytes for this long, fails with SubgraphTimeoutError */
  timeoutMs?: number;
  /** a query may be sent again when its kept-alive connection turns out closed; a mutation never is */
  idempotent?: boolean;
}

/** The subgraph did not answer in the time allowed. */
export class SubgraphTimeoutError extends Error {}

/** kept-alive connection pools to the subgraphs, one per origin, as many connections as the load needs */
const agent = new Agent({ keepAliveTimeout: 4_000 });

/** Parsed subgraph URLs: every request to one subgraph names the same few. */
const targets = new Map<string, { origin: string; path: string }>();

/**
 * The gateway's HTTP client for subgraph requests: undici's connection pools (about half the CPU of
 * node:http's client per request), the body read whole. Subgraph answers are never cached or
 * proxied, so no fetch stack (headers objects, streams, caches) sits in between; the executor's
 * transport adds the circuit breaker and spans.
 */
export const postToSubgraph: SubgraphPost = (url, init) => postOnce(url, init, init.idempotent ?? false);

async function postOnce(url: string, init: SubgraphPostInit, mayRetry: boolean): Promise<{ status: number; text: string }> {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    targets.set(url, target);
  }
  try {
    const response = await agent.request({
      ...target,
      method: 'POST',
      headers: init.headers,
      body: init.body,
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (err) {
    if (err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError)
      throw new SubgraphTimeoutError(err.message);
    // a kept-alive connection the subgraph closed as idle just as it was reused: a query is sent again
    // once, on a fresh connection (the request may have reached the subgraph, so a mutation is not)
    if (mayRetry && err instanceof errors.SocketError) return postOnce(url, init, false);
    throw err;
  }
}
