import { timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, DomainError, ErrorCode, type Principal } from '@eventgraph/runtime';

/**
 * Turns a caller's credential into a principal. Only the development credential
 * exists so far: a bearer token shared with the operator, which acts as a
 * platform service. No credential means an anonymous caller.
 */
export interface Authenticator {
  authenticate(authorization: string | undefined): Principal;
}

const DEVELOPMENT_PRINCIPAL: Principal = { kind: 'service', id: 'development', memberships: [], scopes: ['*'] };

const unauthenticated = (message: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message);

export function developmentAuthenticator(devToken: string): Authenticator {
  const expected = Buffer.from(devToken);
  return {
    authenticate(authorization) {
      if (!authorization) return ANONYMOUS;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
      const given = Buffer.from(match[1]!);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthenticated('the token is not valid');
      return DEVELOPMENT_PRINCIPAL;
    },
  };
}
