import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACTING_FOR_HEADER, ANONYMOUS, DomainError, OVERLOADED, sendJson } from '@eventgraph/runtime';
import type { Authenticated, Authenticator } from '../auth/authenticator';
import { mayCallFrom, refuseOrigin, requestOrigin, type OriginPolicy } from '../cors';
import {
  callerBucket,
  RATE_LIMITED,
  RATE_LIMITED_STATUS,
  rateLimitHttpResponse,
  type CallerPolicies,
  type RateLimiter,
} from '../rate-limit';
import { requestLogFields } from '../request-log';
import { ErrorCode } from '../subscriptions/errors';
import { header } from './http-server';

export interface HttpCallerOptions {
  limiter: RateLimiter;
  callerPolicies?: CallerPolicies;
  origins: OriginPolicy;
  clientAddress(req: IncomingMessage): string | undefined;
}

/**
 * Who calls over HTTP and whether they may: each caller's token bucket (an API key's own limit wins over the
 * default for its kind), and the refusals as HTTP answers with their codes and statuses.
 */
export function httpCallers(options: HttpCallerOptions) {
  const { limiter, callerPolicies, origins, clientAddress } = options;

  const takeToken = async ({ principal, requestsPerMinute }: Authenticated, address: string | undefined) => {
    const bucket = requestsPerMinute
      ? {
          key: `${principal.kind}:${principal.id}`,
          policy: { capacity: requestsPerMinute, refillPerSecond: requestsPerMinute / 60 },
        }
      : callerBucket(principal, address, callerPolicies);
    return bucket && limiter.take(bucket.key, bucket.policy);
  };

  /** A credential not known to be good is paid for from the address's anonymous bucket, before users is asked. */
  const chargeAddress = async (address: string | undefined) => {
    const bucket = callerBucket(ANONYMOUS, address, callerPolicies);
    return bucket && limiter.take(bucket.key, bucket.policy);
  };

  /** Answers with the refusal when the caller's bucket is empty; true when the request may go on. */
  const admitted = async (authenticated: Authenticated, req: IncomingMessage, res: ServerResponse) => {
    const decision = await takeToken(authenticated, clientAddress(req));
    if (!decision || decision.allowed) return true;
    const refusal = rateLimitHttpResponse(decision);
    sendJson(res, refusal.status, refusal.body, refusal.headers);
    return false;
  };

  /** The caller of an HTTP request, once authenticated and within their rate limit; otherwise answers the refusal. */
  const authenticate = async (
    authenticator: Authenticator,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<Authenticated | undefined> => {
    let authenticated: Authenticated;
    try {
      authenticated = await authenticator.authenticate(
        header(req, 'authorization'),
        clientAddress(req),
        header(req, ACTING_FOR_HEADER),
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const body = { errors: [{ message: err.message, extensions: err.extensions }] };
      if (err.extensions.code === RATE_LIMITED)
        sendJson(res, RATE_LIMITED_STATUS, body, { 'retry-after': String(err.extensions.retryAfterSeconds) });
      // the caller could not be checked (users does not answer, or sheds load): not their fault, and worth a retry
      else if (err.extensions.code === ErrorCode.SubgraphUnavailable || err.extensions.code === OVERLOADED)
        sendJson(res, 503, body, { 'retry-after': String(err.extensions.retryAfterSeconds ?? 5) });
      // a partner key naming a user who granted it nothing, or a user id that is none
      else if (err.extensions.code === 'FORBIDDEN') sendJson(res, 403, body);
      else if (err.extensions.code === ErrorCode.BadUserInput) sendJson(res, 400, body);
      else sendJson(res, 401, body, { 'www-authenticate': 'Bearer' });
      return undefined;
    }
    // a partner key from a page of another site than its app's: no data leaves
    const origin = requestOrigin(req);
    if (origin && !(await mayCallFrom(origins, origin, authenticated))) {
      refuseOrigin(res, origin);
      return undefined;
    }
    requestLogFields(res).callerKind = authenticated.principal.kind;
    return (await admitted(authenticated, req, res)) ? authenticated : undefined;
  };

  return { takeToken, chargeAddress, admitted, authenticate };
}
