/**
 * A scan is one statement (checkin_scan): one round trip from access to the database, whatever the
 * answer, with its check-in, what it moves and its outbox row. Exact under concurrency: scans racing for
 * the last place, or one wristband at several gates at once, never admit more than the rules allow.
 * On PGlite, or with DATABASE_URL on the PostgreSQL server, where the scans really run at once.
 */
import { randomUUID } from 'node:crypto';
import {
  createMetricsRegistry,
  prepareEvent,
  type BusEvent,
  type Logger,
  type Principal,
  type Sql,
  type SqlDatabase,
} from '@eventgraph/runtime';
import { recordScan, verifyScan, type Scan } from '../src/check-in/scan';
import { observeScanBatches, ScanBatches, scanBatches, scanBatchLimitFromEnv } from '../src/check-in/scan-batch';
import type { AccessContext } from '../src/context';
import { accessDatabase } from './support/access-database';

const database = accessDatabase({ poolSize: 24 });

const HOUR = 3_600_000;

/** An active series with its gates and `bands` wristbands per category, assigned to it; scans as a device at its gates. */
async function activeSeries(options: {
  capacity: number;
  entryRule?: 'SINGLE_ENTRY' | 'REENTRY' | 'UNLIMITED';
  categoryLimits?: Record<string, number>;
  bands: Record<string, number>;
  gates?: number;
}) {
  const [org, event, id] = [randomUUID(), randomUUID(), randomUUID()];
  const db = database().sql;
  await db.execute(
    `INSERT INTO "EventSeries" ("id", "organizationId", "eventId", "name", "startsAt", "endsAt", "checkInOpensAt", "checkInClosesAt", "capacity", "entryRule", "status")
     VALUES ($1::uuid, $2::uuid, $3::uuid, 'Day 1', $4::timestamptz, $5::timestamptz, $4::timestamptz, $5::timestamptz, $6, $7::"EntryRule", 'ACTIVE')`,
    [id, org, event, new Date(Date.now() - HOUR), new Date(Date.now() + HOUR), options.capacity, options.entryRule ?? 'REENTRY'],
  );
  const gates = Array.from({ length: options.gates ?? 3 }, () => randomUUID());
  for (const [i, gate] of gates.entries()) {
    await db.execute(
      `INSERT INTO "Gate" ("id", "organizationId", "eventId", "name", "direction") VALUES ($1::uuid, $2::uuid, $3::uuid, $4, 'BOTH')`,
      [gate, org, event, `Gate ${i}`],
    );
    await db.execute(`INSERT INTO "SeriesGate" ("seriesId", "gateId") VALUES ($1::uuid, $2::uuid)`, [id, gate]);
  }
  for (const [category, capacity] of Object.entries(options.categoryLimits ?? {}))
    await db.execute(`INSERT INTO "SeriesCategoryLimit" ("seriesId", "category", "capacity") VALUES ($1::uuid, $2, $3)`, [
      id,
      category,
      capacity,
    ]);
  const bands: Record<string, string[]> = {};
  for (const [category, count] of Object.entries(options.bands)) {
    bands[category] = Array.from({ length: count }, (_, i) => `${category}-${i}`);
    await db.execute(
      `WITH w AS (INSERT INTO "Wristband" ("id", "organizationId", "eventId", "nfcId", "category")
         SELECT gen_random_uuid(), $1::uuid, $2::uuid, nfc, $4 FROM unnest($5::text[]) AS nfc RETURNING "id")
       INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId") SELECT "id", $3::uuid FROM w`,
      [org, event, id, category, bands[category]],
    );
  }
  const device: Principal = {
    kind: 'device',
    id: randomUUID(),
    memberships: [{ organizationId: org, role: 'MEMBER' }],
    scopes: ['scan'],
    gateIds: gates,
  };
  const scan = (nfcId: string, direction: 'ENTRY' | 'EXIT' = 'ENTRY', gate = 0, scanId?: string): Scan => ({
    seriesId: id,
    gateId: gates[gate % gates.length]!,
    nfcId,
    nfcIdValid: true,
    direction,
    scannedAt: new Date(),
    offline: false,
    scanId,
  });
  /** what the series' aggregates say, against the scans recorded */
  const state = async () =>
    (
      await db.query<{ shards: number; inside: number; allowed: number; entries: number }>(
        `SELECT (SELECT coalesce(sum("inside"), 0)::int FROM "OccupancyShard" WHERE "seriesId" = $1::uuid AND "pool" = '') AS "shards",
                (SELECT count(*)::int FROM "Presence" WHERE "seriesId" = $1::uuid AND "inside") AS "inside",
                (SELECT count(*)::int FROM "CheckIn" WHERE "seriesId" = $1::uuid AND "allowed") AS "allowed",
                (SELECT coalesce(sum("entries"), 0)::int FROM "SeriesCounter" WHERE "seriesId" = $1::uuid) AS "entries"`,
        [id],
      )
    )[0]!;
  return { id, org, gates, bands, device, scan, state };
}

/** A resolver's context as far as a scan uses it, counting the statements sent to the database. */
function contextOf(principal: Principal) {
  const counted = { statements: 0, announced: [] as BusEvent[] };
  const sql: Sql = {
    query: (text, params) => (counted.statements++, database().sql.query(text, params)),
    execute: (text, params) => (counted.statements++, database().sql.execute(text, params)),
  };
  const ctx = {
    principal,
    sql,
    prepareEvent: (topic: string) => prepareEvent('access', topic),
    announced: async (events: BusEvent[]) => void counted.announced.push(...events),
  } as unknown as AccessContext;
  return { ctx, counted };
}

/** a context of its own for each scan: scans in separate transactions, as from separate processes */
const alone = (principal: Principal) => contextOf(principal).ctx;

const reasonsOf = (results: Array<{ checkIn: { allowed: boolean; reason: string | null } }>) =>
  results.map((r) => r.checkIn.reason ?? 'ALLOWED').sort();

describe('a scan', () => {
  it('is one statement whatever the answer, its outbox row written with it', async () => {
    const s = await activeSeries({ capacity: 10, bands: { GA: 2 } });
    const { ctx, counted } = contextOf(s.device);
    const answers: string[] = [];
    for (const scan of [
      s.scan('GA-0'),
      s.scan('GA-0'),
      s.scan('GA-0', 'EXIT', 1),
      s.scan('nobody'),
      { ...s.scan('GA-1', 'ENTRY', 0, 'retry-1') },
      { ...s.scan('GA-1', 'ENTRY', 0, 'retry-1') },
    ]) {
      const before = counted.statements;
      const { checkIn, duplicate } = await recordScan(ctx, scan);
      answers.push(`${checkIn.reason ?? 'ALLOWED'}${duplicate ? ' (duplicate)' : ''}`);
      expect(counted.statements - before).toBe(1);
    }
    expect(answers).toEqual(['ALLOWED', 'ALREADY_INSIDE', 'ALLOWED', 'UNKNOWN_WRISTBAND', 'ALLOWED', 'ALLOWED (duplicate)']);

    // one outbox row per recorded scan, the payload the announced event carries
    const rows = await database().sql.query<{ eventId: string; payload: Record<string, unknown> }>(
      `SELECT "eventId"::text AS "eventId", "payload" FROM "OutboxEvent" WHERE "payload"->>'seriesId' = $1 ORDER BY "id"`,
      [s.id],
    );
    expect(counted.announced).toHaveLength(5);
    expect(rows.map((r) => r.eventId)).toEqual(counted.announced.map((e) => e.id));
    for (const [i, row] of rows.entries()) expect(row.payload).toMatchObject(counted.announced[i]!.payload);

    const before = counted.statements;
    const verified = await verifyScan(ctx.sql, s.device, s.scan('GA-0'));
    expect(verified.decision).toEqual({ allowed: true });
    expect(counted.statements - before).toBe(1);
  });

  it("refused (another organisation's gate, a viewer's scan) writes nothing", async () => {
    const s = await activeSeries({ capacity: 10, bands: { GA: 1 } });
    const other = await activeSeries({ capacity: 10, bands: { GA: 1 } });
    const { ctx } = contextOf({ ...s.device, gateIds: [...s.gates, ...other.gates] });
    await expect(recordScan(ctx, { ...s.scan('GA-0'), gateId: other.gates[0]! })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    await expect(recordScan(ctx, other.scan('GA-0'))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    // a viewer may see the series but not scan in it
    const viewer = contextOf({
      kind: 'user',
      id: randomUUID(),
      memberships: [{ organizationId: s.org, role: 'VIEWER' }],
      scopes: [],
    });
    await expect(recordScan(viewer.ctx, s.scan('GA-0'))).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', permission: 'checkins.scan' },
    });
    expect(await s.state()).toEqual({ shards: 0, inside: 0, allowed: 0, entries: 0 });
    const [logged] = await database().sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "CheckIn" WHERE "seriesId" = $1::uuid`,
      [s.id],
    );
    expect(logged!.n).toBe(0);
  });
});

describe('scans at once', () => {
  // each scan in a transaction of its own (a context, so a batcher, of its own): the races between transactions
  it('never admit two for the last place', async () => {
    const s = await activeSeries({ capacity: 1, bands: { GA: 24 } });
    const results = await Promise.all(s.bands.GA!.map((band, i) => recordScan(alone(s.device), s.scan(band, 'ENTRY', i))));
    expect(reasonsOf(results)).toEqual(['ALLOWED', ...Array<string>(23).fill('CAPACITY_REACHED')]);
    expect(await s.state()).toEqual({ shards: 1, inside: 1, allowed: 1, entries: 1 });
  });

  it('keep to a category limit and the capacity together, and exits give places back', async () => {
    const s = await activeSeries({ capacity: 5, categoryLimits: { VIP: 2 }, bands: { VIP: 10, GA: 10 } });
    const all = [...s.bands.VIP!, ...s.bands.GA!];
    const first = await Promise.all(all.map((band, i) => recordScan(alone(s.device), s.scan(band, 'ENTRY', i))));
    const admitted = first.filter((r) => r.checkIn.allowed);
    expect(admitted).toHaveLength(5);
    expect(admitted.filter((r) => r.checkIn.category === 'VIP').length).toBeLessThanOrEqual(2);
    // two leave while everyone else tries again: two get in, no more
    const leaving = admitted.slice(0, 2).map((r) => r.checkIn.nfcId);
    const again = all.filter((band) => !admitted.some((r) => r.checkIn.nfcId === band));
    const second = await Promise.all([
      ...leaving.map((band, i) => recordScan(alone(s.device), s.scan(band, 'EXIT', i))),
      ...again.map((band, i) => recordScan(alone(s.device), s.scan(band, 'ENTRY', i))),
    ]);
    expect(second.slice(0, 2).every((r) => r.checkIn.allowed)).toBe(true);
    const inside = await s.state();
    expect(inside.inside).toBeLessThanOrEqual(5);
    expect(inside.shards).toBe(inside.inside);
    const [vip] = await database().sql.query<{ inside: number; shards: number }>(
      `SELECT (SELECT count(*)::int FROM "Presence" p JOIN "Wristband" w ON w."id" = p."wristbandId" WHERE p."seriesId" = $1::uuid AND p."inside" AND w."category" = 'VIP') AS "inside",
              (SELECT coalesce(sum("inside"), 0)::int FROM "OccupancyShard" WHERE "seriesId" = $1::uuid AND "pool" = 'VIP') AS "shards"`,
      [s.id],
    );
    expect(vip!.inside).toBeLessThanOrEqual(2);
    expect(vip!.shards).toBe(vip!.inside);
  });

  it.each([
    ['SINGLE_ENTRY', 1, 'ALREADY_INSIDE'],
    ['REENTRY', 1, 'ALREADY_INSIDE'],
    ['UNLIMITED', 12, null],
  ] as const)('of one wristband at several gates follow its %s rule, taking one place', async (entryRule, allowed, denial) => {
    const s = await activeSeries({ capacity: 10, entryRule, bands: { GA: 1 } });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => recordScan(alone(s.device), s.scan('GA-0', 'ENTRY', i))),
    );
    expect(reasonsOf(results)).toEqual(
      [...Array<string>(allowed).fill('ALLOWED'), ...Array<string>(12 - allowed).fill(denial!)].sort(),
    );
    expect(await s.state()).toEqual({ shards: 1, inside: 1, allowed, entries: allowed });
    if (entryRule !== 'SINGLE_ENTRY') return;
    // out and back in: a single-entry series admits it once
    const { ctx } = contextOf(s.device);
    expect((await recordScan(ctx, s.scan('GA-0', 'EXIT'))).checkIn.allowed).toBe(true);
    expect((await recordScan(ctx, s.scan('GA-0'))).checkIn.reason).toBe('ALREADY_USED');
  });
});

describe('scans at once in one process', () => {
  it('share one statement and one commit, each answered as if alone', async () => {
    const s = await activeSeries({ capacity: 6, categoryLimits: { VIP: 1 }, bands: { GA: 8, VIP: 3 } });
    const { ctx, counted } = contextOf(s.device);
    const scans = [
      ...s.bands.GA!.map((band, i) => s.scan(band, 'ENTRY', i)),
      ...s.bands.VIP!.map((band, i) => s.scan(band, 'ENTRY', i)),
      s.scan('nobody'),
      s.scan('GA-0', 'ENTRY', 0, 'twice'),
      s.scan('GA-0', 'ENTRY', 0, 'twice'),
    ];
    const results = await Promise.all(scans.map((scan) => recordScan(ctx, scan)));
    // the first goes at once; the rest arrive while it is at the database and go together
    expect(counted.statements).toBe(2);
    expect(scanBatches(ctx.sql).stats).toEqual({ batches: 1, scans: scans.length - 1, failed: 0 });

    expect(results.map((r) => r.checkIn.nfcId)).toEqual(scans.map((scan) => scan.nfcId));
    const vip = results.slice(8, 11).map((r) => r.checkIn.reason ?? 'ALLOWED');
    expect(vip.sort()).toEqual(['ALLOWED', 'CATEGORY_CAPACITY_REACHED', 'CATEGORY_CAPACITY_REACHED']);
    expect(results[11]!.checkIn.reason).toBe('UNKNOWN_WRISTBAND');
    // the same scan id twice in one batch: recorded once, the second answered as that scan
    expect(results[13]!.duplicate).toBe(true);
    expect(results[13]!.checkIn.id).toBe(results[12]!.checkIn.id);
    const allowed = results.filter((r) => r.checkIn.allowed && !r.duplicate).length;
    expect(allowed).toBe(6);
    expect(await s.state()).toEqual({ shards: 6, inside: 6, allowed, entries: allowed });
    expect(counted.announced).toHaveLength(scans.length - 1);
  });

  it('from two processes at once take the rows they share in one order: none waits on the other in a cycle', async () => {
    const s = await activeSeries({ capacity: 1000, categoryLimits: { VIP: 100 }, bands: { GA: 60, VIP: 20 }, gates: 4 });
    const replicas = [contextOf(s.device), contextOf(s.device)];
    // the counter rows of 4 gates × 2 categories × 16 shards, moved by both at once; the wristbands their own
    const all = [...s.bands.GA!, ...s.bands.VIP!];
    const results = await Promise.all(all.map((band, i) => recordScan(replicas[i % 2]!.ctx, s.scan(band, 'ENTRY', i))));
    for (const { ctx } of replicas) expect(scanBatches(ctx.sql).stats).toMatchObject({ batches: 1, failed: 0 });
    expect(results.every((r) => r.checkIn.allowed)).toBe(true);
    expect(await s.state()).toEqual({ shards: 80, inside: 80, allowed: 80, entries: 80 });
  });

  it('from two processes racing for the last places never admit more than the rules allow', async () => {
    const s = await activeSeries({ capacity: 20, categoryLimits: { VIP: 4 }, bands: { GA: 30, VIP: 10 }, gates: 4 });
    const replicas = [contextOf(s.device), contextOf(s.device)];
    // every wristband at two gates at once, one through each: a batch that meets the other in a deadlock is run again scan by scan
    const all = [...s.bands.GA!, ...s.bands.VIP!];
    const results = await Promise.all(
      all.flatMap((band, i) => replicas.map(({ ctx }, r) => recordScan(ctx, s.scan(band, 'ENTRY', i + r)))),
    );
    const allowed = results.filter((r) => r.checkIn.allowed);
    expect(allowed).toHaveLength(20);
    expect(new Set(allowed.map((r) => r.checkIn.nfcId)).size).toBe(20);
    expect(allowed.filter((r) => r.checkIn.category === 'VIP').length).toBeLessThanOrEqual(4);
    expect(await s.state()).toEqual({ shards: 20, inside: 20, allowed: 20, entries: 20 });
  });

  it('go one statement each when EVENTGRAPH_SCAN_BATCH_MAX is 1', async () => {
    expect(scanBatchLimitFromEnv({})).toBe(64);
    expect(scanBatchLimitFromEnv({ EVENTGRAPH_SCAN_BATCH_MAX: ' 1 ' })).toBe(1);
    for (const bad of ['0', '-3', '2.5', 'many', '1001'])
      expect(() => scanBatchLimitFromEnv({ EVENTGRAPH_SCAN_BATCH_MAX: bad })).toThrow(/EVENTGRAPH_SCAN_BATCH_MAX must be/);
    const s = await activeSeries({ capacity: 10, bands: { GA: 5 } });
    const { ctx, counted } = contextOf(s.device);
    const batches = new ScanBatches(ctx.sql, 1);
    const rows = await Promise.all(
      s.bands.GA!.map((band, i) =>
        batches.record({
          record: true,
          series: s.id,
          gate: s.gates[i % 3]!,
          nfcId: band,
          idValid: true,
          direction: 'ENTRY',
          scannedAt: new Date(),
          offline: false,
          scannerKind: 'device',
          scannerId: s.device.id!,
          scanId: null,
          readOrgs: [s.org],
          scanOrgs: [s.org],
          deviceGates: s.gates,
          checkInId: randomUUID(),
          event: randomUUID(),
          source: 'access',
          topic: 'checkin.recorded',
          occurredAt: new Date().toISOString(),
          payloadExtra: '{}',
        }),
      ),
    );
    expect(rows.map((r) => r.outcome)).toEqual(Array(5).fill('RECORDED'));
    expect(counted.statements).toBe(5);
    expect(batches.stats.batches).toBe(0);
  });

  it('that fail as a whole are run again one by one, each getting its own answer', async () => {
    const s = await activeSeries({ capacity: 10, bands: { GA: 4 } });
    const { ctx } = contextOf(s.device);
    // a NUL character cannot be stored: the batch holding it fails, nothing of it is kept
    const scans = [...s.bands.GA!.map((band) => s.scan(band)), s.scan('bad\u0000id')];
    const metrics = createMetricsRegistry('access', { processMetrics: false });
    const warnings: unknown[] = [];
    const log = { warn: (fields: unknown) => void warnings.push(fields) } as unknown as Logger;
    observeScanBatches({ sql: ctx.sql as SqlDatabase, metrics, log });
    const settled = await Promise.allSettled(scans.map((scan) => recordScan(ctx, scan)));
    expect(scanBatches(ctx.sql).stats).toMatchObject({ batches: 1, failed: 1 });
    // an operator sees it: counted on /metrics, logged with the SQLSTATE and no statement text
    const text = await metrics.metrics();
    expect(text).toContain('eventgraph_checkin_batches_total{result="failed",service="access"} 1');
    expect(text).toContain('eventgraph_checkin_batches_total{result="recorded",service="access"} 0');
    expect(text).toContain('eventgraph_checkin_batched_scans_total{service="access"} 4');
    expect(warnings).toEqual([{ scans: 4, code: expect.stringMatching(/^22/) }]);
    expect(settled.slice(0, 4).map((r) => r.status === 'fulfilled' && r.value.checkIn.allowed)).toEqual([true, true, true, true]);
    expect(settled[4]!.status).toBe('rejected');
    expect(await s.state()).toEqual({ shards: 4, inside: 4, allowed: 4, entries: 4 });
  });
});
