import { postToSubgraph, SubgraphTimeoutError, type SubgraphPost } from '../subgraph-fetcher';
import { ErrorCode } from '../subscriptions/errors';
import type { EngineLogger as Logger } from '../subscriptions/logger';
import { traceOutgoingRequest } from '@eventgraph/runtime';
import type { SubgraphAnswer, SubgraphRequest } from './entity-batcher';
import { SubgraphRequestError } from './plan-runner';
import type { SubgraphTransport } from './query-executor';
import { DEFAULT_GUARD_SETTINGS, SubgraphGuard, type GuardSettings } from './subgraph-guard';
import { InflightQueries, inflightSharingFromEnv, type PostedAnswer } from './inflight-queries';

export interface HttpTransportOptions {
  /** each subgraph's GraphQL endpoint, by name */
  urls: Readonly<Record<string, string>>;
  /** how a request is posted (default: undici's pools of kept-alive connections) */
  post?: SubgraphPost;
  logger: Logger;
  /** timeout and circuit breaker of every subgraph (default: 10 s, open after 5 failures for 5 s) */
  guard?: GuardSettings;
  /** identical queries in flight at once are sent once (default: EVENTGRAPH_SHARE_INFLIGHT_QUERIES, on) */
  shareInflight?: boolean;
  /** told of each query that joins an identical one already in flight instead of being sent */
  shared?: (subgraph: string) => void;
  /** told each request's duration and, when no GraphQL answer came, why */
  observe?: (subgraph: string, seconds: number, failureCode?: string) => void;
}

export type HttpTransport = SubgraphTransport & {
  /** each subgraph's circuit breaker, by name (readiness reads them) */
  readonly guards: ReadonlyMap<string, SubgraphGuard>;
};

/**
 * Subgraph requests over HTTP, JSON in and out, each bounded by a timeout and each subgraph behind a
 * circuit breaker. A subgraph that answers with GraphQL errors (even with a 4xx status) has said what
 * the client may see; anything else becomes a SubgraphRequestError whose message names only the
 * subgraph, with the cause in the log.
 */
export function httpTransport({
  urls,
  post = postToSubgraph,
  logger,
  guard = DEFAULT_GUARD_SETTINGS,
  shareInflight = inflightSharingFromEnv(),
  shared,
  observe,
}: HttpTransportOptions): HttpTransport {
  const guards = new Map(Object.keys(urls).map((name) => [name, new SubgraphGuard(guard)]));
  const inflight = shareInflight ? new InflightQueries() : undefined;
  const unavailable = (serviceName: string, code: string = ErrorCode.SubgraphUnavailable) =>
    new SubgraphRequestError(`Subgraph "${serviceName}" is unavailable`, code);

  // a client span per request (inside a trace), its traceparent sent along: the subgraph's spans are its children
  const transport: SubgraphTransport = (serviceName, request, headers, options) => {
    const started = process.hrtime.bigint();
    return traceOutgoingRequest('gateway', serviceName, request.operationName, (traceHeaders) =>
      send(serviceName, request, { ...headers, ...traceHeaders }, options?.fresh ?? false),
    ).then(
      (answer) => {
        observe?.(serviceName, Number(process.hrtime.bigint() - started) / 1e9);
        return answer;
      },
      (err: unknown) => {
        observe?.(
          serviceName,
          Number(process.hrtime.bigint() - started) / 1e9,
          err instanceof SubgraphRequestError ? err.code : undefined,
        );
        throw err;
      },
    );
  };

  // a mutation ends the sharing of the queries in flight when it is sent and when it is answered (read your writes)
  const mutating = async (posting: () => Promise<PostedAnswer>) => {
    inflight?.forget();
    try {
      return await posting();
    } finally {
      inflight?.forget();
    }
  };

  const send = async (
    serviceName: string,
    request: SubgraphRequest,
    headers: Readonly<Record<string, string>>,
    fresh: boolean,
  ) => {
    const url = urls[serviceName];
    const breaker = guards.get(serviceName);
    if (!url || !breaker)
      throw new SubgraphRequestError(`Subgraph "${serviceName}" is not configured`, ErrorCode.SubgraphUnavailable);
    // an open circuit answers at once: a subgraph that keeps failing costs no request its timeout
    if (!breaker.admit()) throw unavailable(serviceName);
    const init = {
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(request),
      timeoutMs: guard.timeoutMs,
      idempotent: !request.query.startsWith('mutation'),
    };
    const posting = async (): Promise<PostedAnswer> => {
      try {
        return await post(url, init);
      } catch (err) {
        breaker.failed();
        const timedOut = err instanceof SubgraphTimeoutError;
        logger.warn(
          { subgraph: serviceName, err: err instanceof Error ? err.message : String(err), timedOut },
          'subgraph request failed',
        );
        if (timedOut)
          throw new SubgraphRequestError(
            `Subgraph "${serviceName}" did not answer within ${guard.timeoutMs} ms`,
            ErrorCode.SubgraphTimeout,
          );
        throw unavailable(serviceName);
      }
    };
    const { status, text, first } = !init.idempotent
      ? { ...(await mutating(posting)), first: true }
      : inflight && !fresh
        ? await inflight.share(url, init.headers, init.body, posting, () => shared?.(serviceName))
        : { ...(await posting()), first: true };
    const answer = parseAnswer(text);
    if (answer) {
      if (first) breaker.succeeded();
      return answer;
    }
    if (first) {
      breaker.failed();
      logger.warn({ subgraph: serviceName, status }, 'subgraph answered without GraphQL');
    }
    throw new SubgraphRequestError(`Request to subgraph "${serviceName}" failed: HTTP ${status}`, ErrorCode.SubrequestHttpError);
  };
  return Object.assign(transport, { guards });
}

function parseAnswer(text: string): SubgraphAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { data, errors } = parsed as SubgraphAnswer;
  return data !== undefined || Array.isArray(errors) ? (parsed as SubgraphAnswer) : undefined;
}
