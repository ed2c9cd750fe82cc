import { GraphQLError } from 'graphql';
import type { RateDecision } from './types';

export const RATE_LIMITED = 'RATE_LIMITED';
/** HTTP status for a refused request (Too Many Requests). */
export const RATE_LIMITED_STATUS = 429;

/** Whole seconds, at least 1: Retry-After has no finer unit, and 0 would invite an immediate retry. */
export const retryAfterSeconds = (decision: RateDecision): number => Math.max(1, Math.ceil(decision.retryAfterMs / 1000));

/** The value of the HTTP `Retry-After` header for a refused request. */
export const retryAfterHeader = (decision: RateDecision): string => String(retryAfterSeconds(decision));

export function rateLimitError(decision: RateDecision): GraphQLError {
  const seconds = retryAfterSeconds(decision);
  return new GraphQLError(`Too many requests; retry in ${seconds} s`, {
    extensions: { code: RATE_LIMITED, retryAfterSeconds: seconds },
  });
}

/** Status, headers and GraphQL-shaped body for refusing an HTTP request before it reaches Apollo Server. */
export function rateLimitHttpResponse(decision: RateDecision): {
  status: number;
  headers: Record<string, string>;
  body: { errors: ReturnType<GraphQLError['toJSON']>[] };
} {
  return {
    status: RATE_LIMITED_STATUS,
    headers: { 'retry-after': retryAfterHeader(decision) },
    body: { errors: [rateLimitError(decision).toJSON()] },
  };
}
