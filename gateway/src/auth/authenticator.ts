import { timingSafeEqual } from 'node:crypto';
import {
  ACTING_FOR_HEADER,
  AccessTokenError,
  ANONYMOUS,
  DomainError,
  ErrorCode,
  looksLikeJwt,
  parseId,
  verifyAccessToken,
  type Principal,
} from '@eventgraph/runtime';
import { retryAfterSeconds, type RateDecision } from '../rate-limit';
import type { CallerDirectory } from './caller-directory';

/**
 * Turns a caller's credential into a principal: no credential is an anonymous
 * caller; a user access token (JWT) is that user with their current
 * memberships; the development credential, where enabled, is a platform service.
 */
export interface Authenticator {
  /**
   * `clientAddress`: whose bucket pays for a credential that is not known (see `chargeAddress`); `actingFor`: the
   * `x-eventgraph-acting-for` header (graphql-ws: connection param `actingFor`), the user a partner key acts for
   */
  authenticate(authorization: string | undefined, clientAddress?: string, actingFor?: string): Promise<Authenticated>;
}

/** The principal, plus what the gateway itself enforces for this caller. */
export interface Authenticated {
  principal: Principal;
  /** an API key's own limit, replacing the default for its kind */
  requestsPerMinute?: number;
  /** set when only the partner app's registered operations may run */
  trustedDocumentsOf?: string;
  /** an API key's partner app */
  partnerAppId?: string;
  /** a partner key's site origins: browsers may use the key from these (and the platform's own) only */
  allowedOrigins?: string[];
  /** when the credential stops on its own: an access token's expiry, the end of a rotated key's overlap */
  expiresAt?: Date;
}

export interface AuthenticatorOptions {
  jwtSecret: string;
  callers: CallerDirectory;
  /** the development credential; absent in production */
  devToken?: string;
  /**
   * Takes a token from the client address's bucket. Called for every credential
   * that is not known to be good: before an API key or device credential that is
   * not cached is looked up in users, and for every credential refused. A refusal
   * ends the request with RATE_LIMITED, before any lookup.
   */
  chargeAddress?: (clientAddress: string | undefined) => Promise<RateDecision | undefined>;
}

const DEVELOPMENT_PRINCIPAL: Principal = { kind: 'service', id: 'development', memberships: [], scopes: ['*'] };

const unauthenticated = (message: string, reason: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message, { reason });

/** A client address that sent too many unknown credentials: refused before anything is looked up. */
export const credentialRateLimited = (decision: RateDecision) => {
  const seconds = retryAfterSeconds(decision);
  return new DomainError(ErrorCode.RATE_LIMITED, `too many invalid credentials from this address; retry in ${seconds} s`, {
    retryAfterSeconds: seconds,
  });
};

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  return {
    async authenticate(authorization, clientAddress, actingFor) {
      const authenticated = await authenticateCredential(authorization, clientAddress);
      return actingFor === undefined ? authenticated : await actingForUser(authenticated, actingFor, options.callers);
    },
  };

  async function authenticateCredential(authorization: string | undefined, clientAddress: string | undefined) {
    if (!authorization) return { principal: ANONYMOUS };
    // once per request at most: before the lookup, or when the credential is refused
    let charged = false;
    const charge = async () => {
      if (charged) return;
      charged = true;
      const decision = await options.chargeAddress?.(clientAddress);
      if (decision && !decision.allowed) throw credentialRateLimited(decision);
    };
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated('Authorization must be "Bearer <token>"', 'MALFORMED');
      const token = match[1]!;
      if (options.devToken && sameSecret(token, options.devToken)) return { principal: DEVELOPMENT_PRINCIPAL };
      if (looksLikeJwt(token)) return await userPrincipal(token, options);
      if (/^eg[kd]_/.test(token)) return await credentialPrincipal(token, options, charge);
      throw unauthenticated('the token is not valid', 'UNKNOWN_TOKEN');
    } catch (err) {
      if (err instanceof DomainError && err.extensions.code === ErrorCode.UNAUTHENTICATED) await charge();
      throw err;
    }
  }
}

const notGranted = (message: string, reason: string) => new DomainError(ErrorCode.FORBIDDEN, message, { reason });

/**
 * A partner key acting for a user: only with that user's grant to the key's app, which the principal then
 * carries (`actingFor`). Any other caller naming a user is refused rather than ignored, so a client never
 * believes it acts for someone when it does not.
 */
async function actingForUser(authenticated: Authenticated, userId: string, callers: CallerDirectory): Promise<Authenticated> {
  const { principal } = authenticated;
  const id = parseId(ACTING_FOR_HEADER, userId.trim());
  if (principal.kind !== 'apiKey' || !principal.partnerAppId)
    throw notGranted(`only a partner app's API key may act for a user (${ACTING_FOR_HEADER})`, 'NOT_A_PARTNER_KEY');
  const scopes = await callers.grant(principal.partnerAppId, id);
  if (!scopes?.length)
    throw notGranted('the user has not let this partner app act for them (grantPartnerApp), or revoked it', 'NOT_GRANTED');
  return { ...authenticated, principal: { ...principal, actingFor: { userId: id, scopes } } };
}

async function userPrincipal(token: string, options: AuthenticatorOptions): Promise<Authenticated> {
  let claims;
  try {
    claims = await verifyAccessToken(token, options.jwtSecret);
  } catch (err) {
    const expired = err instanceof AccessTokenError && err.reason === 'expired';
    throw unauthenticated((err as Error).message, expired ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN');
  }
  const caller = await options.callers.user(claims.userId);
  if (!caller) throw unauthenticated('the account no longer exists', 'UNKNOWN_USER');
  // tokens carry whole seconds: one issued in the second of the change is the new session's
  if (
    caller.credentialsChangedAt &&
    claims.issuedAt.getTime() < Math.floor(caller.credentialsChangedAt.getTime() / 1000) * 1000
  ) {
    throw unauthenticated('the password changed since this token was issued; sign in again', 'CREDENTIALS_CHANGED');
  }
  // the token's session (refresh-token family) was ended: logged out, or a reused refresh token gave a thief away
  if (claims.sessionId && caller.revokedSessionIds.includes(claims.sessionId))
    throw unauthenticated(
      'this session was ended (signed out, or its refresh token was used twice); sign in again',
      'SESSION_REVOKED',
    );
  return {
    principal: { kind: 'user', id: caller.id, memberships: caller.memberships, scopes: [] },
    expiresAt: claims.expiresAt,
  };
}

async function credentialPrincipal(
  token: string,
  options: AuthenticatorOptions,
  beforeLookup: () => Promise<void>,
): Promise<Authenticated> {
  const caller = await options.callers.credential(token, beforeLookup);
  if (!caller)
    throw unauthenticated('the key or device credential is not valid (unknown, revoked or expired)', 'INVALID_CREDENTIAL');
  const principal: Principal = { kind: caller.kind, id: caller.id, memberships: caller.memberships, scopes: caller.scopes };
  if (caller.kind === 'device') principal.gateIds = caller.gateIds;
  if (caller.whiteLabel) principal.whiteLabel = caller.whiteLabel;
  if (caller.kind === 'apiKey' && caller.partnerAppId) principal.partnerAppId = caller.partnerAppId;
  return {
    principal,
    requestsPerMinute: caller.rateLimitPerMinute ?? undefined,
    trustedDocumentsOf: caller.trustedDocumentsOnly && caller.partnerAppId ? caller.partnerAppId : undefined,
    partnerAppId: caller.partnerAppId ?? undefined,
    allowedOrigins: caller.kind === 'apiKey' && caller.partnerAppId ? caller.allowedOrigins : undefined,
    expiresAt: caller.expiresAt ?? undefined,
  };
}
