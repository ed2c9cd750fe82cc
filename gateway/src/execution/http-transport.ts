import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { EngineLogger as Logger } from '../subscriptions/logger';
import { ErrorCode } from '../subscriptions/errors';
import type { SubgraphAnswer } from './entity-batcher';
import { SubgraphRequestError } from './plan-runner';
import type { SubgraphTransport } from './query-executor';

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * Subgraph requests over HTTP, JSON in and out. A subgraph that answers with GraphQL errors (even
 * with a 4xx status) has said what the client may see; anything else becomes a SubgraphRequestError
 * whose message names only the subgraph, with the cause in the log.
 */
export function httpTransport(
  urls: Readonly<Record<string, string>>,
  fetcherFor: (serviceName: string) => Fetcher,
  logger: Logger,
): SubgraphTransport {
  return async (serviceName, request, headers) => {
    const url = urls[serviceName];
    if (!url) throw new SubgraphRequestError(`Subgraph "${serviceName}" is not configured`, ErrorCode.SubgraphUnavailable);
    let status: number;
    let text: string;
    try {
      const response = await fetcherFor(serviceName)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(request),
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      logger.warn({ subgraph: serviceName, err: err instanceof Error ? err.message : String(err) }, 'subgraph request failed');
      if (err instanceof SubgraphRequestError) throw err;
      const code = (err as { code?: unknown }).code;
      // a fetcher's own coded failure (a timeout, an open circuit) keeps its code
      if (typeof code === 'string' && code.startsWith('SUBGRAPH_'))
        throw new SubgraphRequestError(`Subgraph "${serviceName}" is unavailable`, code);
      throw new SubgraphRequestError(`Subgraph "${serviceName}" is unavailable`, ErrorCode.SubgraphUnavailable);
    }
    const answer = parseAnswer(text);
    if (answer) return answer;
    logger.warn({ subgraph: serviceName, status }, 'subgraph answered without GraphQL');
    throw new SubgraphRequestError(`Request to subgraph "${serviceName}" failed: HTTP ${status}`, ErrorCode.SubrequestHttpError);
  };
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
