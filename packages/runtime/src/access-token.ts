import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/**
 * User access tokens: short-lived HS256 JWTs issued by the users subgraph and
 * verified by the gateway with the same secret. They say who the user is, not
 * what they may do: memberships are looked up fresh (and cached briefly) by the
 * gateway, so a role change does not wait for the token to expire.
 */
export interface AccessTokenClaims {
  userId: string;
  issuedAt: Date;
  expiresAt: Date;
  /**
   * The session (refresh-token family) the token was issued for, claim `sid`: when the family is
   * revoked (signed out, a reused refresh token) the gateway refuses its access tokens too.
   */
  sessionId?: string;
}

const ISSUER = 'eventgraph';
const AUDIENCE = 'eventgraph-api';

// imported once per secret: jose would otherwise turn the raw bytes into a key on every verification
const keys = new Map<string, KeyObject>();
const key = (secret: string) => {
  let imported = keys.get(secret);
  if (!imported) keys.set(secret, (imported = createSecretKey(Buffer.from(secret))));
  return imported;
};

export async function issueAccessToken(
  userId: string,
  secret: string,
  ttlSeconds: number,
  now = new Date(),
  sessionId?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + ttlSeconds) * 1000);
  const token = await new SignJWT(sessionId ? { typ: 'access', sid: sessionId } : { typ: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key(secret));
  return { token, expiresAt };
}

export class AccessTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'the access token has expired; refresh the session' : 'the access token is not valid');
    this.name = 'AccessTokenError';
  }
}

export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

export async function verifyAccessToken(token: string, secret: string): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (
      payload.typ !== 'access' ||
      typeof payload.sub !== 'string' ||
      typeof payload.exp !== 'number' ||
      typeof payload.iat !== 'number' ||
      (payload.sid !== undefined && typeof payload.sid !== 'string')
    ) {
      throw new AccessTokenError('invalid');
    }
    const claims: AccessTokenClaims = {
      userId: payload.sub,
      issuedAt: new Date(payload.iat * 1000),
      expiresAt: new Date(payload.exp * 1000),
    };
    if (typeof payload.sid === 'string') claims.sessionId = payload.sid;
    return claims;
  } catch (err) {
    if (err instanceof AccessTokenError) throw err;
    throw new AccessTokenError(err instanceof errors.JWTExpired ? 'expired' : 'invalid');
  }
}
