import { randomUUID } from 'node:crypto';
import {
  DomainError,
  isTransactionConflict,
  notFound,
  readableOrganizations,
  requirePermission,
  SqlError,
  type PreparedEvent,
  type Principal,
  type Sql,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { DENIAL_REASONS, type CheckInDecision, type DenialReason, type Direction } from '../domain/check-in';
import type { CheckIn, WristbandStatus } from '../generated/prisma/client';
import { scanBatches, scanOnce, type ScanArguments, type ScanRow } from './scan-batch';

/** One scan of a wristband at a gate, as a scanner reports it. */
export interface Scan {
  seriesId: string;
  gateId: string;
  /** the id read, or for one no wristband can have (nfcIdValid false) what of it can be stored */
  nfcId: string;
  nfcIdValid: boolean;
  direction: Direction;
  scannedAt: Date;
  offline: boolean;
  /** the scanner's own id for the scan: the same id twice is the same scan */
  scanId?: string;
}

export interface ScanResult {
  checkIn: CheckIn;
  /** the scan id was recorded before: this is that scan, nothing was counted again */
  duplicate: boolean;
  /** the wristband's previous allowed scan in the series (what a presence denial conflicts with) */
  previousCheckInId: string | null;
}

/** null: every organisation (a platform service) */
const organizations = (principal: Principal, permission: 'organization.read' | 'checkins.scan') => {
  const orgs = readableOrganizations(principal, permission);
  return orgs === 'all' ? null : orgs;
};

/**
 * The whole scan in one statement, so one round trip: `checkin_scan` gathers the facts (locking the
 * wristband when recording), decides them by the rules of src/domain/check-in.ts, takes the room, and
 * writes the check-in, what it moves and its outbox row; a refusal writes nothing. Scans being recorded
 * at the same moment share a statement and a commit (scan-batch.ts).
 */
async function runScan(db: Sql, principal: Principal, scan: Scan, recording?: { checkInId: string; event: PreparedEvent }) {
  const scanner = scannerOf(principal);
  const { event } = recording ?? {};
  const args: ScanArguments = {
    record: recording !== undefined,
    series: scan.seriesId,
    gate: scan.gateId,
    nfcId: scan.nfcId,
    idValid: scan.nfcIdValid,
    direction: scan.direction,
    scannedAt: scan.scannedAt,
    offline: scan.offline,
    scannerKind: scanner.scannerKind,
    scannerId: scanner.scannerId,
    scanId: scan.scanId ?? null,
    readOrgs: organizations(principal, 'organization.read'),
    scanOrgs: organizations(principal, 'checkins.scan'),
    deviceGates: principal.kind === 'device' ? (principal.gateIds ?? []) : null,
    checkInId: recording?.checkInId ?? null,
    event: event?.eventId ?? null,
    source: event?.source ?? null,
    topic: event?.topic ?? null,
    occurredAt: event?.occurredAt ?? null,
    payloadExtra: event?.payloadExtra ?? null,
  };
  const row = recording ? await scanBatches(db).record(args) : await scanOnce(db, args);
  return refuse(row, principal, scan);
}

/** The refusals, as the errors the API gives for them; any other row is a scan. */
function refuse(row: ScanRow, principal: Principal, scan: Scan): ScanRow {
  switch (row.outcome) {
    case 'SERIES_NOT_FOUND':
      throw notFound('EventSeries', scan.seriesId);
    case 'FORBIDDEN':
      requirePermission(principal, 'checkins.scan', row.organizationId);
      throw new Error(`checkin_scan refused a scan the caller may make in ${row.organizationId}`);
    case 'GATE_NOT_FOUND':
      throw notFound('Gate', scan.gateId);
    case 'SCAN_ID_REUSED':
      throw new DomainError(
        'SCAN_ID_REUSED',
        `scan ${scan.scanId} was recorded before for a different wristband, gate or direction`,
        { field: 'scanId' },
      );
    default:
      return row;
  }
}

/** The answer a scan would get now, without recording anything (`verifyAccess`). */
export async function verifyScan(db: Sql, principal: Principal, scan: Scan) {
  const row = await runScan(db, principal, scan);
  const reason = row.reason as DenialReason | null;
  const decision: CheckInDecision = reason ? { allowed: false, reason, message: DENIAL_REASONS[reason] } : { allowed: true };
  const wristband = row.wristbandId ? { id: row.wristbandId, status: row.wristbandStatus as WristbandStatus | null } : null;
  return { decision, wristband };
}

/** The scan's `checkin.recorded` payload, as the statement wrote it into the outbox. */
const recordedPayload = (c: CheckIn) => ({
  checkInId: c.id,
  seriesId: c.seriesId,
  gateId: c.gateId,
  organizationId: c.organizationId,
  wristbandId: c.wristbandId,
  allowed: c.allowed,
  reason: c.reason,
  offline: c.offline,
});

const scannerOf = (principal: Principal) => ({ scannerKind: principal.kind, scannerId: principal.id ?? principal.kind });

const MAX_ATTEMPTS = 3;

/**
 * Decides and records one scan: the check-in (allowed or denied, always kept), the aggregates it moves, and
 * its `checkin.recorded` announcement, in one statement (shared with the scans recorded at the same moment,
 * scan-batch.ts). A scan id seen before returns that scan's check-in and counts nothing, also when the same
 * scan arrives twice at once.
 */
export async function recordScan(ctx: AccessContext, scan: Scan): Promise<ScanResult> {
  for (let attempt = 1; ; attempt++) {
    const event = ctx.prepareEvent('checkin.recorded');
    let row: ScanRow;
    try {
      row = await runScan(ctx.sql, ctx.principal, scan, { checkInId: randomUUID(), event });
    } catch (err) {
      // PostgreSQL undid this scan to break a deadlock with another: nothing of it was kept, so run it again;
      // or the same scan id raced in twice and the other won: run again, and this is answered as that scan
      const raced = err instanceof SqlError && err.sqlState === '23505' && scan.scanId !== undefined;
      if ((isTransactionConflict(err) || raced) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
    const { outcome, previousCheckInId, ...checkIn } = row;
    if (outcome === 'DUPLICATE') return { checkIn, duplicate: true, previousCheckInId: null };
    // the scanner's answer does not wait for the announcement: nothing it asks next depends on it (the series'
    // metrics are kept in the scan's own statement), and passes shared by many scans cost the gate less
    await ctx.announced([event.complete(recordedPayload(checkIn))], { waitForPublish: false });
    return { checkIn, duplicate: false, previousCheckInId };
  }
}
