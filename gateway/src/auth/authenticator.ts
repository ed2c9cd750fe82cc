import { timingSafeEqual } from 'node:crypto';
import {
  AccessTokenError,
  ANONYMOUS,
  DomainError,
  ErrorCode,
  looksLikeJwt,
  verifyAccessToken,
  type Principal,
} from '@eventgraph/runtime';
import type { CallerDirectory } from './caller-directory';

/**
 * Turns a caller's credential into a principal: no credential is an anonymous
 * caller; a user access token (JWT) is that user with their current
 * memberships; the development credential, where enabled, is a platform service.
 */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Authenticated>;
}

/** The principal, plus what the gateway itself enforces for this caller. */
export interface Authenticated {
  principal: Principal;
  /** an API key's own limit, replacing the default for its kind */
  requestsPerMinute?: number;
  /** set when only the partner app's registered operations may run */
  trustedDocumentsOf?: string;
}

export interface AuthenticatorOptions {
  jwtSecret: string;
  callers: CallerDirectory;
  /** the development credential; absent in production */
  devToken?: string;
}

const DEVELOPMENT_PRINCIPAL: Principal = { kind: 'service', id: 'development', memberships: [], scopes: ['*'] };

const unauthenticated = (message: string, reason: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message, { reason });

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  return {
    async authenticate(authorization) {
      if (!authorization) return { principal: ANONYMOUS };
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated('Authorization must be "Bearer <token>"', 'MALFORMED');
      const token = match[1]!;
      if (options.devToken && sameSecret(token, options.devToken)) return { principal: DEVELOPMENT_PRINCIPAL };
      if (looksLikeJwt(token)) return { principal: await userPrincipal(token, options) };
      if (/^eg[kd]_/.test(token)) return credentialPrincipal(token, options);
      throw unauthenticated('the token is not valid', 'UNKNOWN_TOKEN');
    },
  };
}

async function userPrincipal(token: string, options: AuthenticatorOptions): Promise<Principal> {
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
  return { kind: 'user', id: caller.id, memberships: caller.memberships, scopes: [] };
}

async function credentialPrincipal(token: string, options: AuthenticatorOptions): Promise<Authenticated> {
  const caller = await options.callers.credential(token);
  if (!caller)
    throw unauthenticated('the key or device credential is not valid (unknown, revoked or expired)', 'INVALID_CREDENTIAL');
  const principal: Principal = { kind: caller.kind, id: caller.id, memberships: caller.memberships, scopes: caller.scopes };
  if (caller.kind === 'device') principal.gateIds = caller.gateIds;
  if (caller.whiteLabel) principal.whiteLabel = caller.whiteLabel;
  return {
    principal,
    requestsPerMinute: caller.rateLimitPerMinute ?? undefined,
    trustedDocumentsOf: caller.trustedDocumentsOnly && caller.partnerAppId ? caller.partnerAppId : undefined,
  };
}
