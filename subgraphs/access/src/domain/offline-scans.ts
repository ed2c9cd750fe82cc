import type { DenialReason } from './check-in';

/** The most scans one upload may carry: a device that was offline longer uploads in several batches. */
export const MAX_OFFLINE_BATCH = 500;
/** How far ahead of the server's clock a device's clock may run before its scan times are refused. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Scans are applied in the order they happened, whatever order the device sends them in. */
export const inTimeOrder = <T extends { scannedAt: Date; scanId: string }>(scans: readonly T[]): T[] =>
  [...scans].sort((a, b) => a.scannedAt.getTime() - b.scannedAt.getTime() || a.scanId.localeCompare(b.scanId));

/** Denials that come from another scan of the same wristband: the report names that scan. */
const PRESENCE_REASONS: readonly DenialReason[] = ['ALREADY_INSIDE', 'ALREADY_USED', 'NOT_INSIDE'];
export const conflictsWithAnotherScan = (reason: DenialReason) => PRESENCE_REASONS.includes(reason);

export type OfflineOutcome = 'APPLIED' | 'DUPLICATE' | 'CONFLICT';

/**
 * Offline, a scanner decided on its own; the server's decision is the one that counts. A scan the
 * server denies is a conflict the device should show (e.g. the same wristband admitted offline at
 * two gates): it is logged, never counted.
 */
export const offlineOutcome = (allowed: boolean, duplicate: boolean): OfflineOutcome =>
  duplicate ? 'DUPLICATE' : allowed ? 'APPLIED' : 'CONFLICT';
