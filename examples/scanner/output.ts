// What the scanner shows a person at the gate: one line per scan, per uploaded offline scan, per feed event.
import type {
  CheckInDenialReason,
  OfflineScanOutcome,
  ScannedCheckInFieldsFragment as ScannedCheckIn,
  WristbandStatus,
} from '@eventgraph/sdk';
import type { QueuedScan } from './offline-queue';

/** A sentence for each denial reason, for the person at the gate (the API's own is in `message`). */
export const DENIAL_SENTENCES: Record<CheckInDenialReason, string> = {
  DEVICE_NOT_ALLOWED: 'This scanner is not registered for this gate.',
  INVALID_WRISTBAND_ID: 'That read is not a wristband id (garbled or empty): scan again.',
  UNKNOWN_WRISTBAND: 'No wristband with this id exists for the event.',
  WRISTBAND_NOT_ACTIVE: 'The wristband is not active: send the guest to the info desk.',
  SERIES_NOT_ACTIVE: 'Check-in for this session is not open.',
  OUTSIDE_CHECKIN_WINDOW: 'It is outside the check-in hours of this session.',
  WRISTBAND_NOT_ASSIGNED: 'The wristband is not valid for this session.',
  GATE_NOT_ASSIGNED: 'This gate does not serve this session.',
  WRONG_DIRECTION: 'This gate does not take scans in this direction.',
  ALREADY_INSIDE: 'The wristband is already inside.',
  ALREADY_USED: 'The wristband has already been used to enter (single entry).',
  NOT_INSIDE: 'The wristband cannot exit: it is not inside.',
  CATEGORY_CAPACITY_REACHED: "The wristband's category is full for this session.",
  CAPACITY_REACHED: 'The session is at capacity.',
};

const STATUS_WORDS: Record<WristbandStatus, string> = {
  ACTIVE: 'active',
  SUSPENDED: 'suspended',
  LOST: 'reported lost',
  REVOKED: 'revoked',
  REPLACED: 'replaced by another wristband',
};

/** "The wristband is already inside. [ALREADY_INSIDE]", with the wristband's status when that is the reason */
export function denialSentence(c: Pick<ScannedCheckIn, 'reason' | 'message' | 'wristbandStatus'>): string {
  if (!c.reason) return '';
  const known = DENIAL_SENTENCES[c.reason] as string | undefined; // a reason newer than this scanner: the API's words
  const sentence = known ?? `${c.message ?? 'Denied'}.`;
  const status = c.reason === 'WRISTBAND_NOT_ACTIVE' && c.wristbandStatus ? ` (${STATUS_WORDS[c.wristbandStatus]})` : '';
  return `${sentence.replace(/\.$/, `${status}.`)} [${c.reason}]`;
}

const category = (c: ScannedCheckIn) => (c.wristband?.category ? ` (${c.wristband.category})` : '');

/** "ALLOWED  ENTRY 04:AB:01 (GA)" / "DENIED   ENTRY 04:AB:01 — The wristband is already inside. [ALREADY_INSIDE]" */
export function scanLine(c: ScannedCheckIn): string {
  if (c.allowed) return `ALLOWED  ${c.direction} ${c.nfcId}${category(c)}`;
  return `DENIED   ${c.direction} ${c.nfcId}${category(c)} — ${denialSentence(c)}`;
}

export const queuedLine = (scan: QueuedScan, waiting: number) =>
  `QUEUED   ${scan.direction} ${scan.nfcId} — gateway unreachable; kept offline (${waiting} waiting)`;

const who = (c: ScannedCheckIn, deviceId: string) =>
  c.scannerKind === 'device' && c.scannerId === deviceId
    ? 'this scanner'
    : `another ${c.scannerKind === 'device' ? 'scanner' : 'client'}`;

/** A scan at this gate from the gate's feed. */
export const feedLine = (c: ScannedCheckIn, deviceId: string) =>
  `gate: ${c.allowed ? 'ALLOWED' : `DENIED ${c.reason}`} ${c.direction} ${c.nfcId} at ${c.gate.name} by ${who(c, deviceId)}`;

export interface OfflineResult {
  scanId: string;
  outcome: OfflineScanOutcome;
  checkIn: ScannedCheckIn;
  conflictsWith: ScannedCheckIn | null;
}

/**
 * One uploaded scan: APPLIED (counted as allowed), DUPLICATE (uploaded before: its first answer) or
 * CONFLICT (the server denies what the gate let through offline; with the scan it conflicts with).
 */
export function offlineResultLine(r: OfflineResult, deviceId: string): string {
  const c = r.checkIn;
  const head = `${r.outcome.padEnd(9)} ${c.direction} ${c.nfcId}${category(c)} scanned ${c.scannedAt}`;
  if (r.outcome === 'APPLIED') return `${head} — allowed`;
  if (r.outcome === 'DUPLICATE') return `${head} — uploaded before; first answer: ${c.allowed ? 'allowed' : denialSentence(c)}`;
  const other = r.conflictsWith;
  const withWhat = other
    ? `; conflicts with ${other.allowed ? 'ALLOWED' : 'DENIED'} ${other.direction} at ${other.gate.name} scanned ${other.scannedAt} by ${who(other, deviceId)}${other.offline ? ' (offline)' : ''}`
    : '';
  return `${head} — ${denialSentence(c)}${withWhat}`;
}

export function uploadSummary(results: OfflineResult[]): string {
  const count = (outcome: OfflineScanOutcome) => results.filter((r) => r.outcome === outcome).length;
  return `uploaded ${results.length} offline scan${results.length === 1 ? '' : 's'}: ${count('APPLIED')} applied, ${count('DUPLICATE')} duplicate, ${count('CONFLICT')} conflict${count('CONFLICT') === 1 ? '' : 's'}`;
}
