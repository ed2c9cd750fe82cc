import { newSecret, sameHash, sha256 } from './secrets';

/**
 * Credentials handed to machines: `<prefix>_<row id>.<secret>`. The prefix says
 * what it is (so the gateway routes it without a lookup, and secret scanners
 * recognise leaked keys); the id finds the row; only the secret's hash is kept.
 */
export const API_KEY_PREFIX = 'egk';
export const DEVICE_CREDENTIAL_PREFIX = 'egd';
export const PROVISIONING_PREFIX = 'egp';
/** a client that signed in to an account before (see domain/login-throttle.ts) */
export const LOGIN_CLIENT_PREFIX = 'egl';

export function issueCredential(prefix: string, id: string): { token: string; hash: string } {
  const secret = newSecret();
  return { token: `${prefix}_${id}.${secret}`, hash: sha256(secret) };
}

export function parseCredential(prefix: string, token: string): { id: string; secret: string } | null {
  const match = new RegExp(`^${prefix}_([0-9a-f-]{36})\\.([\\w-]{20,})$`, 'i').exec(token.trim());
  return match ? { id: match[1]!.toLowerCase(), secret: match[2]! } : null;
}

export const secretMatches = (secret: string, hash: string | null | undefined) =>
  Boolean(hash) && sameHash(sha256(secret), hash!);
