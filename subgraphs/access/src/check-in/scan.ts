import { randomUUID } from 'node:crypto';
import {
  can,
  DomainError,
  isTransactionConflict,
  notFound,
  requirePermission,
  translateDatabaseError,
  type Announce,
  type Principal,
} from '@eventgraph/runtime';
import type { AccessContext, AccessDb, AccessTx } from '../context';
import {
  decideCheckIn,
  needsRoom,
  scanEffect,
  type CheckInDecision,
  type CheckInFacts,
  type Direction,
  type EntryRule,
} from '../domain/check-in';
import { MAX_SHARDS, preferredShard } from '../domain/occupancy';
import { giveBack, peekRoom, takeRoom, type Shards } from './occupancy-shards';
import type { CheckIn, WristbandStatus } from '../generated/prisma/client';

/** One scan of a wristband at a gate, as a scanner reports it. */
export interface Scan {
  seriesId: string;
  gateId: string;
  nfcId: string;
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

type Reader = AccessDb | AccessTx;

/** The series and gate of a scan, and whether the gate serves the series. */
interface Place {
  id: string;
  organizationId: string;
  eventId: string;
  status: string;
  entryRule: EntryRule;
  checkInOpensAt: Date;
  checkInClosesAt: Date;
  capacity: number;
  gateId: string | null;
  gateOrganizationId: string | null;
  gateDirection: 'ENTRY' | 'EXIT' | 'BOTH' | null;
  gateAssigned: boolean;
}

/** A wristband of the event, with its assignment to and presence in the series, and its category's limit there. */
interface Band {
  id: string;
  status: WristbandStatus;
  category: string;
  assigned: boolean;
  inside: boolean | null;
  entries: number | null;
  lastCheckInId: string | null;
  seriesShard: number | null;
  categoryShard: number | null;
  categoryCapacity: number | null;
}

interface Gathered {
  series: Place;
  gateId: string;
  wristband: Band | null;
  facts: CheckInFacts;
}

/**
 * Everything the decision needs, in three statements (a scan is the hottest path there is). With
 * `lock`, the wristband row is locked, so two scans of one wristband (at two gates at once) are
 * decided one after the other.
 */
async function gatherFacts(db: Reader, principal: Principal, scan: Scan, lock: boolean): Promise<Gathered> {
  const [series] = await db.$queryRawUnsafe<Place[]>(
    `SELECT s."id", s."organizationId", s."eventId", s."status", s."entryRule", s."checkInOpensAt", s."checkInClosesAt", s."capacity",
            g."id" AS "gateId", g."organizationId" AS "gateOrganizationId", g."direction" AS "gateDirection",
            EXISTS (SELECT 1 FROM "SeriesGate" sg WHERE sg."seriesId" = s."id" AND sg."gateId" = g."id") AS "gateAssigned"
     FROM "EventSeries" s LEFT JOIN "Gate" g ON g."id" = $2::uuid
     WHERE s."id" = $1::uuid`,
    scan.seriesId,
    scan.gateId,
  );
  if (!series || !can(principal, 'organization.read', series.organizationId)) throw notFound('EventSeries', scan.seriesId);
  requirePermission(principal, 'checkins.scan', series.organizationId);
  if (!series.gateId || series.gateOrganizationId !== series.organizationId) throw notFound('Gate', scan.gateId);
  const [locked] = await db.$queryRawUnsafe<Pick<Band, 'id' | 'status' | 'category'>[]>(
    `SELECT "id", "status", "category" FROM "Wristband" WHERE "eventId" = $1::uuid AND "nfcId" = $2${lock ? ' FOR UPDATE' : ''}`,
    series.eventId,
    scan.nfcId,
  );
  // read after the lock, in a statement of its own: it sees what the scan that held the lock wrote
  const [state] = locked
    ? await db.$queryRawUnsafe<Omit<Band, 'id' | 'status' | 'category'>[]>(
        `SELECT EXISTS (SELECT 1 FROM "WristbandAssignment" a WHERE a."wristbandId" = $1::uuid AND a."seriesId" = $2::uuid) AS "assigned",
                (SELECT l."capacity" FROM "SeriesCategoryLimit" l WHERE l."seriesId" = $2::uuid AND l."category" = $3) AS "categoryCapacity",
                p."inside", p."entries", p."lastCheckInId", p."seriesShard", p."categoryShard"
         FROM (SELECT 1) AS one LEFT JOIN "Presence" p ON p."wristbandId" = $1::uuid AND p."seriesId" = $2::uuid`,
        locked.id,
        series.id,
        locked.category,
      )
    : [];
  const wristband: Band | null = locked ? { ...locked, ...state! } : null;
  const presence = wristband?.inside == null ? null : { inside: wristband.inside, entries: wristband.entries! };
  return {
    series,
    gateId: series.gateId,
    wristband,
    facts: {
      direction: scan.direction,
      scannedAt: scan.scannedAt,
      offline: scan.offline,
      deviceAllowed: principal.kind !== 'device' || (principal.gateIds ?? []).includes(series.gateId),
      wristband,
      series,
      gate: { direction: series.gateDirection! },
      wristbandAssigned: wristband?.assigned ?? false,
      gateAssigned: series.gateAssigned,
      presence,
    },
  };
}

/** The answer a scan would get now, without recording anything (`verifyAccess`). */
export async function verifyScan(db: AccessDb, principal: Principal, scan: Scan) {
  const gathered = await gatherFacts(db, principal, scan, false);
  let decision = decideCheckIn(gathered.facts);
  if (needsRoom(gathered.facts, decision)) {
    gathered.facts.room = await peekRoom(db, gathered.series, gathered.wristband!);
    decision = decideCheckIn(gathered.facts);
  }
  return { decision, wristband: gathered.wristband };
}

/** Decides a scan being recorded; an allowed entry that takes room leaves with its places taken. */
async function decideAndTakeRoom(tx: AccessTx, principal: Principal, scan: Scan) {
  const gathered = await gatherFacts(tx, principal, scan, true);
  let decision = decideCheckIn(gathered.facts);
  let shards: Shards | null = null;
  if (needsRoom(gathered.facts, decision)) {
    const taken = await takeRoom(tx, gathered.series, gathered.wristband!);
    gathered.facts.room = taken.room;
    shards = taken.shards;
    decision = decideCheckIn(gathered.facts);
  }
  return { ...gathered, decision, shards };
}

/**
 * Moves the maintained aggregates by one allowed scan: an exit gives its places back (category,
 * then series: the order entries take them in); then one statement records the wristband's
 * presence and counts the scan in its gate and category counter.
 */
async function applyEffect(tx: AccessTx, gathered: Gathered, taken: Shards | null, checkIn: CheckIn) {
  const { series, gateId, facts } = gathered;
  const band = gathered.wristband!;
  const effect = scanEffect(facts);
  let shards: Shards = { seriesShard: band.seriesShard, categoryShard: band.categoryShard };
  if (facts.direction === 'EXIT') {
    if (band.categoryShard !== null) await giveBack(tx, series.id, band.category, band.categoryShard);
    if (band.seriesShard !== null) await giveBack(tx, series.id, '', band.seriesShard);
    shards = { seriesShard: null, categoryShard: null };
  } else if (taken) {
    shards = taken;
  }
  await tx.$executeRawUnsafe(
    `WITH presence AS (
       INSERT INTO "Presence" ("wristbandId", "seriesId", "inside", "entries", "lastGateId", "lastCheckInId", "lastScanAt", "seriesShard", "categoryShard")
       VALUES ($1::uuid, $2::uuid, $4, $5, $3::uuid, $6::uuid, $7::timestamptz, $12::int, $13::int)
       ON CONFLICT ("wristbandId", "seriesId") DO UPDATE SET "inside" = EXCLUDED."inside", "entries" = EXCLUDED."entries",
         "lastGateId" = EXCLUDED."lastGateId", "lastCheckInId" = EXCLUDED."lastCheckInId", "lastScanAt" = EXCLUDED."lastScanAt",
         "seriesShard" = EXCLUDED."seriesShard", "categoryShard" = EXCLUDED."categoryShard"
     )
     INSERT INTO "SeriesCounter" ("seriesId", "gateId", "category", "shard", "entries", "exits", "inside")
     VALUES ($2::uuid, $3::uuid, $8, $14::int, $9, $10, $11)
     ON CONFLICT ("seriesId", "gateId", "category", "shard") DO UPDATE SET
       "entries" = "SeriesCounter"."entries" + EXCLUDED."entries",
       "exits" = "SeriesCounter"."exits" + EXCLUDED."exits",
       "inside" = "SeriesCounter"."inside" + EXCLUDED."inside"`,
    band.id,
    series.id,
    gateId,
    effect.presence.inside,
    effect.presence.entries,
    checkIn.id,
    checkIn.scannedAt,
    band.category,
    effect.entries,
    effect.exits,
    effect.insideDelta,
    shards.seriesShard,
    shards.categoryShard,
    preferredShard(band.id, MAX_SHARDS),
  );
}

/** The scan recorded before under the same scanner and scan id; the same id for a different scan is refused. */
async function earlierScan(db: AccessDb, scannerId: string, scan: Scan): Promise<CheckIn | null> {
  if (!scan.scanId) return null;
  const earlier = await db.checkIn.findUnique({ where: { scannerId_scanId: { scannerId, scanId: scan.scanId } } });
  if (
    earlier &&
    (earlier.seriesId !== scan.seriesId ||
      earlier.gateId !== scan.gateId ||
      earlier.nfcId !== scan.nfcId ||
      earlier.direction !== scan.direction)
  )
    throw new DomainError(
      'SCAN_ID_REUSED',
      `scan ${scan.scanId} was recorded before for a different wristband, gate or direction`,
      {
        field: 'scanId',
      },
    );
  return earlier;
}

const scannerOf = (principal: Principal) => ({ scannerKind: principal.kind, scannerId: principal.id ?? principal.kind });

/**
 * Decides and records one scan in one transaction: the check-in (allowed or denied, always kept),
 * the aggregates it moves, and its `checkin.recorded` announcement. A scan id seen before returns
 * that scan's check-in and counts nothing, also when the same scan arrives twice at once.
 */
export async function recordScan(ctx: AccessContext, scan: Scan): Promise<ScanResult> {
  const scanner = scannerOf(ctx.principal);
  const earlier = await earlierScan(ctx.db, scanner.scannerId, scan);
  if (earlier) return { checkIn: earlier, duplicate: true, previousCheckInId: null };
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transact((tx, announce) => recordOnce(tx, announce, scanner, ctx.principal, scan));
    } catch (err) {
      // PostgreSQL undid this scan to break a deadlock with another: nothing of it was kept, so run it again
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      // the same scan id raced in twice: the other one won, and this is that scan
      if (translateDatabaseError(err)?.extensions.code === 'CONFLICT') {
        const winner = await earlierScan(ctx.db, scanner.scannerId, scan);
        if (winner) return { checkIn: winner, duplicate: true, previousCheckInId: null };
      }
      throw err;
    }
  }
}

const MAX_ATTEMPTS = 3;

async function recordOnce(
  tx: AccessTx,
  announce: Announce,
  scanner: ReturnType<typeof scannerOf>,
  principal: Principal,
  scan: Scan,
): Promise<ScanResult> {
  const gathered = await decideAndTakeRoom(tx, principal, scan);
  const { series, wristband, decision } = gathered;
  const checkIn = await insertCheckIn(tx, checkInRow(scan, scanner, gathered, decision));
  if (decision.allowed) await applyEffect(tx, gathered, gathered.shards, checkIn);
  await announce('checkin.recorded', {
    checkInId: checkIn.id,
    seriesId: series.id,
    gateId: checkIn.gateId,
    organizationId: series.organizationId,
    wristbandId: wristband?.id ?? null,
    allowed: decision.allowed,
    reason: checkIn.reason,
    offline: scan.offline,
  });
  return { checkIn, duplicate: false, previousCheckInId: wristband?.lastCheckInId ?? null };
}

const CHECK_IN_COLUMNS = [
  'organizationId',
  'seriesId',
  'gateId',
  'wristbandId',
  'nfcId',
  'direction',
  'allowed',
  'reason',
  'wristbandStatus',
  'category',
  'scannerKind',
  'scannerId',
  'scanId',
  'offline',
  'scannedAt',
] as const;
const CHECK_IN_CASTS: Partial<Record<(typeof CHECK_IN_COLUMNS)[number], string>> = {
  organizationId: 'uuid',
  seriesId: 'uuid',
  gateId: 'uuid',
  wristbandId: 'uuid',
  direction: '"ScanDirection"',
  wristbandStatus: '"WristbandStatus"',
  scannedAt: 'timestamptz',
};

/** The scan's row, written with plain SQL: Prisma's generated insert costs a few times more on this path. */
async function insertCheckIn(tx: AccessTx, row: ReturnType<typeof checkInRow>): Promise<CheckIn> {
  const columns = CHECK_IN_COLUMNS.map((c) => `"${c}"`).join(', ');
  const values = CHECK_IN_COLUMNS.map((c, i) => `$${i + 2}${CHECK_IN_CASTS[c] ? `::${CHECK_IN_CASTS[c]}` : ''}`).join(', ');
  const [checkIn] = await tx.$queryRawUnsafe<CheckIn[]>(
    `INSERT INTO "CheckIn" ("id", ${columns}) VALUES ($1::uuid, ${values}) RETURNING *`,
    randomUUID(),
    ...CHECK_IN_COLUMNS.map((c) => row[c]),
  );
  return checkIn!;
}

function checkInRow(
  scan: Scan,
  scanner: ReturnType<typeof scannerOf>,
  { series, gateId, wristband }: Gathered,
  decision: CheckInDecision,
) {
  const denied = decision.allowed ? null : decision.reason;
  return {
    organizationId: series.organizationId,
    seriesId: series.id,
    gateId,
    wristbandId: wristband?.id ?? null,
    nfcId: scan.nfcId,
    direction: scan.direction,
    allowed: decision.allowed,
    reason: denied,
    wristbandStatus: denied === 'WRISTBAND_NOT_ACTIVE' ? wristband!.status : null,
    category: wristband?.category ?? null,
    ...scanner,
    scanId: scan.scanId ?? null,
    offline: scan.offline,
    scannedAt: scan.scannedAt,
  };
}
