/**
 * Refresh tokens rotate: each use returns a new token of the same family and
 * retires the old one. A retired token presented again means it was copied —
 * the whole family (every session descended from that log-in) is revoked.
 */
export interface StoredRefreshToken {
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export type RefreshOutcome = 'rotate' | 'reuse-detected' | 'revoked' | 'expired';

export function refreshOutcome(token: StoredRefreshToken, now: Date): RefreshOutcome {
  if (token.revokedAt) return 'revoked';
  if (token.rotatedAt) return 'reuse-detected';
  if (token.expiresAt <= now) return 'expired';
  return 'rotate';
}
