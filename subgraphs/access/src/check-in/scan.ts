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
  type Sql,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
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
import { giveBack, peekRoom, shareSeriesOccupancy, takeRoom, type Shards } from './occupancy-shards';
import type { CheckIn, WristbandStatus } from '../generated/prisma/client';

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

/** The series and gate of a scan, whether the gate serves the series, and the wristband scanned (if the event has it). */
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
  wristbandId: string | null;
  wristbandStatus: WristbandStatus | null;
  wristbandCategory: string | null;
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
 * The series, the gate and the wristband in one statement. Recording, it also locks the wristband
 * row, and holds the series' occupancy shared (a category limit is not recounted meanwhile).
 */
const placeStatement = (recording: boolean) =>
  `WITH ${recording ? `held AS MATERIALIZED (SELECT ${shareSeriesOccupancy('$1')}), ` : ''}band AS MATERIALIZED (
     SELECT w."id", w."status", w."category" FROM "Wristband" w
     WHERE w."eventId" = (SELECT "eventId" FROM "EventSeries" WHERE "id" = $1::uuid) AND w."nfcId" = $3
     ${recording ? 'AND EXISTS (SELECT 1 FROM held) FOR UPDATE' : ''}
   )
   SELECT s."id", s."organizationId", s."eventId", s."status", s."entryRule", s."checkInOpensAt", s."checkInClosesAt", s."capacity",
          g."id" AS "gateId", g."organizationId" AS "gateOrganizationId", g."direction" AS "gateDirection",
          EXISTS (SELECT 1 FROM "SeriesGate" sg WHERE sg."seriesId" = s."id" AND sg."gateId" = g."id") AS "gateAssigned",
          b."id" AS "wristbandId", b."status" AS "wristbandStatus", b."category" AS "wristbandCategory"
   FROM "EventSeries" s LEFT JOIN "Gate" g ON g."id" = $2::uuid LEFT JOIN band b ON true
   WHERE s."id" = $1::uuid`;
const PLACE = placeStatement(false);
const PLACE_RECORDING = placeStatement(true);

/** The wristband's standing in the series, read after its lock (a statement of its own sees what the scan before wrote). */
const BAND_STATE = `SELECT EXISTS (SELECT 1 FROM "WristbandAssignment" a WHERE a."wristbandId" = $1::uuid AND a."seriesId" = $2::uuid) AS "assigned",
        (SELECT l."capacity" FROM "SeriesCategoryLimit" l WHERE l."seriesId" = $2::uuid AND l."category" = $3) AS "categoryCapacity",
        p."inside", p."entries", p."lastCheckInId", p."seriesShard", p."categoryShard"
 FROM (SELECT 1) AS one LEFT JOIN "Presence" p ON p."wristbandId" = $1::uuid AND p."seriesId" = $2::uuid`;

/**
 * Everything the decision needs, in two statements (a scan is the hottest path there is). With
 * `lock`, the wristband row is locked, so two scans of one wristband (at two gates at once) are
 * decided one after the other.
 */
async function gatherFacts(db: Sql, principal: Principal, scan: Scan, lock: boolean): Promise<Gathered> {
  const [series] = await db.query<Place>(lock ? PLACE_RECORDING : PLACE, [
    scan.seriesId,
    scan.gateId,
    scan.nfcIdValid ? scan.nfcId : null, // never looked up: no wristband has it
  ]);
  if (!series || !can(principal, 'organization.read', series.organizationId)) throw notFound('EventSeries', scan.seriesId);
  requirePermission(principal, 'checkins.scan', series.organizationId);
  if (!series.gateId || series.gateOrganizationId !== series.organizationId) throw notFound('Gate', scan.gateId);
  const [state] = series.wristbandId
    ? await db.query<Omit<Band, 'id' | 'status' | 'category'>>(BAND_STATE, [
        series.wristbandId,
        series.id,
        series.wristbandCategory,
      ])
    : [];
  const wristband: Band | null = series.wristbandId
    ? { id: series.wristbandId, status: series.wristbandStatus!, category: series.wristbandCategory!, ...state! }
    : null;
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
      wristbandIdValid: scan.nfcIdValid,
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
export async function verifyScan(db: Sql, principal: Principal, scan: Scan) {
  const gathered = await gatherFacts(db, principal, scan, false);
  let decision = decideCheckIn(gathered.facts);
  if (needsRoom(gathered.facts, decision)) {
    gathered.facts.room = await peekRoom(db, gathered.series, gathered.wristband!);
    decision = decideCheckIn(gathered.facts);
  }
  return { decision, wristband: gathered.wristband };
}

/** Decides a scan being recorded; an allowed entry that takes room leaves with its places taken. */
async function decideAndTakeRoom(tx: Sql, principal: Principal, scan: Scan) {
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

const CHECK_IN_COLUMNS = [
  'id',
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
type CheckInRow = Omit<CheckIn, 'recordedAt'>;
const CHECK_IN_CASTS: Partial<Record<(typeof CHECK_IN_COLUMNS)[number], string>> = {
  id: 'uuid',
  organizationId: 'uuid',
  seriesId: 'uuid',
  gateId: 'uuid',
  wristbandId: 'uuid',
  direction: '"ScanDirection"',
  wristbandStatus: '"WristbandStatus"',
  scannedAt: 'timestamptz',
};
const INSERT_CHECK_IN = `INSERT INTO "CheckIn" (${CHECK_IN_COLUMNS.map((c) => `"${c}"`).join(', ')})
  VALUES (${CHECK_IN_COLUMNS.map((c, i) => `$${i + 1}${CHECK_IN_CASTS[c] ? `::${CHECK_IN_CASTS[c]}` : ''}`).join(', ')})
  RETURNING *`;
/** the parameter holding a check-in column's value */
const col = (column: (typeof CHECK_IN_COLUMNS)[number]) => `$${CHECK_IN_COLUMNS.indexOf(column) + 1}`;
/** the parameters after the check-in's columns, in the order insertCheckIn passes them */
const EFFECT = ['inside', 'entries', 'seriesShard', 'categoryShard', 'counterShard', 'entered', 'exited', 'insideDelta'] as const;
const fx = (name: (typeof EFFECT)[number]) => `$${CHECK_IN_COLUMNS.length + EFFECT.indexOf(name) + 1}`;

/**
 * An allowed scan, in one statement: its check-in, the wristband's presence in the series, and the
 * scan counted in its gate and category counter (the maintained aggregates the metrics read).
 */
const INSERT_ALLOWED_CHECK_IN = `WITH checkin AS (${INSERT_CHECK_IN}),
  presence AS (
    INSERT INTO "Presence" ("wristbandId", "seriesId", "inside", "entries", "lastGateId", "lastCheckInId", "lastScanAt", "seriesShard", "categoryShard")
    VALUES (${col('wristbandId')}::uuid, ${col('seriesId')}::uuid, ${fx('inside')}, ${fx('entries')}, ${col('gateId')}::uuid,
      ${col('id')}::uuid, ${col('scannedAt')}::timestamptz, ${fx('seriesShard')}::int, ${fx('categoryShard')}::int)
    ON CONFLICT ("wristbandId", "seriesId") DO UPDATE SET "inside" = EXCLUDED."inside", "entries" = EXCLUDED."entries",
      "lastGateId" = EXCLUDED."lastGateId", "lastCheckInId" = EXCLUDED."lastCheckInId", "lastScanAt" = EXCLUDED."lastScanAt",
      "seriesShard" = EXCLUDED."seriesShard", "categoryShard" = EXCLUDED."categoryShard"
  ),
  counter AS (
    INSERT INTO "SeriesCounter" ("seriesId", "gateId", "category", "shard", "entries", "exits", "inside")
    VALUES (${col('seriesId')}::uuid, ${col('gateId')}::uuid, ${col('category')}, ${fx('counterShard')}::int, ${fx('entered')},
      ${fx('exited')}, ${fx('insideDelta')})
    ON CONFLICT ("seriesId", "gateId", "category", "shard") DO UPDATE SET
      "entries" = "SeriesCounter"."entries" + EXCLUDED."entries",
      "exits" = "SeriesCounter"."exits" + EXCLUDED."exits",
      "inside" = "SeriesCounter"."inside" + EXCLUDED."inside"
  )
  SELECT * FROM checkin`;

/**
 * Records the check-in; for an allowed scan, also what it moves: an exit gives its places back
 * (category, then series: the order entries take them in), and the presence and counters follow.
 */
async function insertCheckIn(tx: Sql, gathered: Gathered & { shards: Shards | null }, row: CheckInRow): Promise<CheckIn> {
  const values = CHECK_IN_COLUMNS.map((c) => row[c]);
  if (!row.allowed) return (await tx.query<CheckIn>(INSERT_CHECK_IN, values))[0]!;
  const { series, facts } = gathered;
  const band = gathered.wristband!;
  const effect = scanEffect(facts);
  let shards: Shards = gathered.shards ?? { seriesShard: band.seriesShard, categoryShard: band.categoryShard };
  if (facts.direction === 'EXIT') {
    if (band.categoryShard !== null) await giveBack(tx, series.id, band.category, band.categoryShard);
    if (band.seriesShard !== null) await giveBack(tx, series.id, '', band.seriesShard);
    shards = { seriesShard: null, categoryShard: null };
  }
  const effects: Record<(typeof EFFECT)[number], unknown> = {
    inside: effect.presence.inside,
    entries: effect.presence.entries,
    seriesShard: shards.seriesShard,
    categoryShard: shards.categoryShard,
    counterShard: preferredShard(band.id, MAX_SHARDS),
    entered: effect.entries,
    exited: effect.exits,
    insideDelta: effect.insideDelta,
  };
  const [checkIn] = await tx.query<CheckIn>(INSERT_ALLOWED_CHECK_IN, [...values, ...EFFECT.map((name) => effects[name])]);
  return checkIn!;
}

const EARLIER_SCAN = `SELECT * FROM "CheckIn" WHERE "scannerId" = $1 AND "scanId" = $2`;

/** The scan recorded before under the same scanner and scan id; the same id for a different scan is refused. */
async function earlierScan(db: Sql, scannerId: string, scan: Scan): Promise<CheckIn | null> {
  if (!scan.scanId) return null;
  const [earlier] = await db.query<CheckIn>(EARLIER_SCAN, [scannerId, scan.scanId]);
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
  return earlier ?? null;
}

const scannerOf = (principal: Principal) => ({ scannerKind: principal.kind, scannerId: principal.id ?? principal.kind });

/**
 * Decides and records one scan in one transaction: the check-in (allowed or denied, always kept),
 * the aggregates it moves, and its `checkin.recorded` announcement. A scan id seen before returns
 * that scan's check-in and counts nothing, also when the same scan arrives twice at once. In plain
 * SQL (prepared statements), since this is the path scanners wait on.
 */
export async function recordScan(ctx: AccessContext, scan: Scan): Promise<ScanResult> {
  const scanner = scannerOf(ctx.principal);
  const earlier = await earlierScan(ctx.sql, scanner.scannerId, scan);
  if (earlier) return { checkIn: earlier, duplicate: true, previousCheckInId: null };
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transactSql((tx, announce) => recordOnce(tx, announce, scanner, ctx.principal, scan));
    } catch (err) {
      // PostgreSQL undid this scan to break a deadlock with another: nothing of it was kept, so run it again
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      // the same scan id raced in twice: the other one won, and this is that scan
      if (translateDatabaseError(err)?.extensions.code === 'CONFLICT') {
        const winner = await earlierScan(ctx.sql, scanner.scannerId, scan);
        if (winner) return { checkIn: winner, duplicate: true, previousCheckInId: null };
      }
      throw err;
    }
  }
}

const MAX_ATTEMPTS = 3;

async function recordOnce(
  tx: Sql,
  announce: Announce,
  scanner: ReturnType<typeof scannerOf>,
  principal: Principal,
  scan: Scan,
): Promise<ScanResult> {
  const gathered = await decideAndTakeRoom(tx, principal, scan);
  const { series, wristband, decision } = gathered;
  const checkIn = await insertCheckIn(tx, gathered, checkInRow(scan, scanner, gathered, decision));
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

function checkInRow(
  scan: Scan,
  scanner: ReturnType<typeof scannerOf>,
  { series, gateId, wristband }: Gathered,
  decision: CheckInDecision,
): CheckInRow {
  const denied = decision.allowed ? null : decision.reason;
  return {
    id: randomUUID(),
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
