import { SCOPES } from '@eventgraph/runtime';

/** A key works until revoked, and until the end of its overlap window once rotated. */
export function apiKeyUsable(key: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): boolean {
  return !key.revokedAt && (!key.expiresAt || key.expiresAt > now);
}

export function unknownScopes(scopes: string[]): string[] {
  return scopes.filter((scope) => !SCOPES.includes(scope));
}

export const MAX_OVERLAP_MINUTES = 7 * 24 * 60;
export const MIN_RATE_LIMIT = 1;
export const MAX_RATE_LIMIT = 100_000;

/** A device exchanges its provisioning token once, before it expires. */
export const PROVISIONING_HOURS = 24;

export function deviceUsable(device: { revokedAt: Date | null; credentialHash: string | null }): boolean {
  return !device.revokedAt && device.credentialHash !== null;
}
