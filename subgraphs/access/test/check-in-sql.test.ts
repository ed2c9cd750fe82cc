/**
 * The check-in rules run in SQL (the functions of the migration checkin_scan_function, so a scan is one
 * statement), while src/domain/ stays their specification: every SQL mirror is held to its TypeScript
 * original here, the decision over every combination of the facts it reads. On PGlite, or with
 * DATABASE_URL in a schema of its own on the PostgreSQL server.
 */
import { randomUUID } from 'node:crypto';
import { decideCheckIn, scanEffect, type CheckInFacts, type Presence } from '../src/domain/check-in';
import { MAX_SHARDS, preferredShard, shardCapacity, shardCount } from '../src/domain/occupancy';
import { accessDatabase } from './support/access-database';

const database = accessDatabase();

const at = (hhmm: string) => new Date(`2027-07-01T${hhmm}:00Z`);
const OPENS = at('14:00');
const CLOSES = at('22:00');

/** Each fact the decision reads, with the values that tell its rules apart. */
const DIMENSIONS = {
  direction: ['ENTRY', 'EXIT'],
  scannedAt: [at('13:59'), at('15:00'), at('22:01')],
  offline: [false, true],
  deviceAllowed: [true, false],
  wristbandIdValid: [true, false],
  wristband: [null, 'ACTIVE', 'LOST'],
  seriesStatus: ['ACTIVE', 'SCHEDULED', 'COMPLETED'],
  entryRule: ['SINGLE_ENTRY', 'REENTRY', 'UNLIMITED'],
  gateDirection: ['ENTRY', 'EXIT', 'BOTH'],
  wristbandAssigned: [true, false],
  gateAssigned: [true, false],
  presence: [null, { inside: true, entries: 1 }, { inside: false, entries: 1 }],
  room: [
    undefined,
    { series: true, category: null },
    { series: true, category: true },
    { series: true, category: false },
    { series: false, category: null },
    { series: false, category: true },
    { series: false, category: false },
  ],
} as const;
type Dimension = keyof typeof DIMENSIONS;
type Combination = { [K in Dimension]: (typeof DIMENSIONS)[K][number] };
const NAMES = Object.keys(DIMENSIONS) as Dimension[];

/** Every combination, the first dimension varying slowest (the order the SQL below sorts in). */
function* combinations(i = 0, partial: Partial<Combination> = {}): Generator<Combination> {
  if (i === NAMES.length) {
    yield partial as Combination;
    return;
  }
  for (const value of DIMENSIONS[NAMES[i]!]) yield* combinations(i + 1, { ...partial, [NAMES[i]!]: value });
}

const factsOf = (c: Combination): CheckInFacts => ({
  direction: c.direction,
  scannedAt: c.scannedAt,
  offline: c.offline,
  deviceAllowed: c.deviceAllowed,
  wristbandIdValid: c.wristbandIdValid,
  wristband: c.wristband ? { status: c.wristband } : null,
  series: { status: c.seriesStatus, entryRule: c.entryRule, checkInOpensAt: OPENS, checkInClosesAt: CLOSES },
  gate: { direction: c.gateDirection },
  wristbandAssigned: c.wristbandAssigned,
  gateAssigned: c.gateAssigned,
  presence: c.presence ? { ...c.presence } : null,
  room: c.room ? { ...c.room } : undefined,
});

/** the SQL reading of dimension i's values: each a JSON object, its fields the function's arguments */
const asJson = (value: unknown) =>
  value === null || value === undefined ? {} : typeof value === 'object' && !(value instanceof Date) ? value : { v: value };

describe('checkin_decide', () => {
  it('gives the answer decideCheckIn gives, for every combination of the facts', async () => {
    const v = (i: number, field = 'v') => `(d${i}.v->>'${field}')`;
    const from = NAMES.map((_, i) => `jsonb_array_elements($1::jsonb -> ${i}) WITH ORDINALITY AS d${i}(v, o)`).join(
      ' CROSS JOIN ',
    );
    const idx = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<Dimension, number>;
    const [row] = await database().sql.query<{ reasons: string }>(
      `SELECT string_agg(coalesce("checkin_decide"(${v(idx.direction)}, ${v(idx.scannedAt)}::timestamptz, ${v(idx.offline)}::boolean,
         ${v(idx.deviceAllowed)}::boolean, ${v(idx.wristbandIdValid)}::boolean, ${v(idx.wristband)}, ${v(idx.seriesStatus)},
         ${v(idx.entryRule)}, $2::timestamptz, $3::timestamptz, ${v(idx.gateDirection)}, ${v(idx.wristbandAssigned)}::boolean,
         ${v(idx.gateAssigned)}::boolean, ${v(idx.presence, 'inside')}::boolean, ${v(idx.presence, 'entries')}::int,
         ${v(idx.room, 'series')}::boolean, ${v(idx.room, 'category')}::boolean), 'ALLOWED'), ','
         ORDER BY ${NAMES.map((_, i) => `d${i}.o`).join(', ')}) AS "reasons"
       FROM ${from}`,
      [JSON.stringify(NAMES.map((n) => DIMENSIONS[n].map(asJson))), OPENS, CLOSES],
    );
    const all = [...combinations()];
    const expected = all.map((c) => {
      const decision = decideCheckIn(factsOf(c));
      return decision.allowed ? 'ALLOWED' : decision.reason;
    });
    const got = row!.reasons.split(',');
    expect(got).toHaveLength(expected.length);
    const differing = all.filter((_, i) => got[i] !== expected[i]).slice(0, 3);
    expect(differing).toEqual([]);
    // every answer is reached somewhere in the space
    expect(new Set(expected).size).toBe(15);
  }, 120_000);
});

describe('checkin_effect', () => {
  it('moves what scanEffect says an allowed scan moves', async () => {
    const presences: Array<Presence | null> = [null, { inside: true, entries: 1 }, { inside: false, entries: 3 }];
    for (const direction of ['ENTRY', 'EXIT'] as const)
      for (const presence of presences) {
        const [row] = await database().sql.query<Record<string, unknown>>(`SELECT * FROM "checkin_effect"($1, $2, $3)`, [
          direction,
          presence?.inside ?? null,
          presence?.entries ?? null,
        ]);
        const effect = scanEffect({ direction, presence });
        expect(row).toEqual({
          inside_delta: effect.insideDelta,
          entered: effect.entries,
          exited: effect.exits,
          inside_after: effect.presence.inside,
          entries_after: effect.presence.entries,
        });
      }
  });
});

describe('the occupancy shards in SQL', () => {
  it('split a capacity as shardCount and shardCapacity do', async () => {
    const capacities = [0, 1, 2, 5, 15, 16, 17, 31, 100, 1_000, 10_007];
    const shards = Array.from({ length: MAX_SHARDS + 3 }, (_, i) => i - 1);
    const rows = await database().sql.query<{ capacity: number; shard: number; count: number; share: number }>(
      `SELECT c AS "capacity", s AS "shard", "checkin_shard_count"(c) AS "count", "checkin_shard_capacity"(c, s) AS "share"
       FROM unnest($1::int[]) AS c CROSS JOIN unnest($2::int[]) AS s`,
      [capacities, shards],
    );
    expect(rows).toHaveLength(capacities.length * shards.length);
    for (const r of rows) expect([r.count, r.share]).toEqual([shardCount(r.capacity), shardCapacity(r.capacity, r.shard)]);
  });

  it('send a wristband to the shard preferredShard names', async () => {
    const ids = Array.from({ length: 500 }, () => randomUUID());
    const rows = await database().sql.query<{ id: string; n: number; shard: number }>(
      `SELECT id::text AS "id", n, "checkin_preferred_shard"(id, n) AS "shard" FROM unnest($1::uuid[]) AS id CROSS JOIN unnest($2::int[]) AS n`,
      [ids, [0, 1, 3, 16]],
    );
    expect(rows).toHaveLength(2_000);
    for (const r of rows) expect(r.shard).toBe(preferredShard(r.id, r.n));
  });
});
