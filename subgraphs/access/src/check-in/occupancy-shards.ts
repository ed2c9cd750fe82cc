import type { Sql } from '@eventgraph/runtime';
import type { CheckInFacts } from '../domain/check-in';
import { preferredShard, shardCount } from '../domain/occupancy';

/** The places a scan took: a shard of the series' capacity and one of its category's limit (if it has one). */
export interface Shards {
  seriesShard: number | null;
  categoryShard: number | null;
}

type Series = { id: string; capacity: number };
type Band = { id: string; category: string; categoryCapacity: number | null };

/** A shard's share of the capacity, in SQL (the same rule as shardCapacity). */
const SHARE = `($3::int / $4::int + CASE WHEN "shard" < $3::int % $4::int THEN 1 ELSE 0 END)`;

/**
 * Takes one place in a pool of the series ('' for its capacity, a category for that category's
 * limit): in the wristband's own shard if it has room, else in any shard with room, preferring one
 * no other scan holds. Returns the shard, or null when every shard is full.
 */
async function takePlace(tx: Sql, seriesId: string, pool: string, capacity: number, wristbandId: string) {
  const shards = shardCount(capacity);
  if (shards === 0) return null;
  const args = [seriesId, pool, capacity, shards] as const;
  const where = `"seriesId" = $1::uuid AND "pool" = $2 AND "shard" < $4::int AND "inside" < ${SHARE}`;
  const take = (which: string) =>
    tx.query<{ shard: number }>(
      `UPDATE "OccupancyShard" SET "inside" = "inside" + 1 WHERE ${where} AND ${which} RETURNING "shard"`,
      [...args, preferredShard(wristbandId, shards)],
    );
  const elsewhere = (lock: string) =>
    `("seriesId", "pool", "shard") = (SELECT "seriesId", "pool", "shard" FROM "OccupancyShard" WHERE ${where}
       ORDER BY "shard" = $5::int DESC, "shard" LIMIT 1 ${lock})`;
  // never wait while trying: a scan waiting on one shard while holding another could deadlock
  let [taken] = await take(elsewhere('FOR UPDATE SKIP LOCKED'));
  if (taken) return taken.shard;
  // no free shard with room (or none there yet): make sure all exist, then look again
  await tx.execute(
    `INSERT INTO "OccupancyShard" ("seriesId", "pool", "shard") SELECT $1::uuid, $2, i FROM generate_series(0, $3::int - 1) AS i
     ON CONFLICT DO NOTHING`,
    [seriesId, pool, shards],
  );
  [taken] = await take(elsewhere('FOR UPDATE SKIP LOCKED'));
  // every shard with room is held by another scan: wait for one (it may fill up meanwhile); the
  // rare deadlock this can meet is undone by PostgreSQL and the scan retried (recordScan)
  [taken] = taken ? [taken] : await take(elsewhere('FOR UPDATE'));
  return taken?.shard ?? null;
}

export const giveBack = (tx: Sql, seriesId: string, pool: string, shard: number) =>
  tx.execute(
    `UPDATE "OccupancyShard" SET "inside" = GREATEST(0, "inside" - 1) WHERE "seriesId" = $1::uuid AND "pool" = $2 AND "shard" = $3::int`,
    [seriesId, pool, shard],
  );

/**
 * Finds room for an entry: the category's place first, then the series'; every scan takes them in
 * this order (wristband, category, series), so concurrent scans queue instead of deadlocking.
 */
export async function takeRoom(tx: Sql, series: Series, band: Band) {
  let categoryShard: number | null = null;
  if (band.categoryCapacity !== null) {
    categoryShard = await takePlace(tx, series.id, band.category, band.categoryCapacity, band.id);
    if (categoryShard === null) return { room: { series: true, category: false }, shards: null };
  }
  const seriesShard = await takePlace(tx, series.id, '', series.capacity, band.id);
  if (seriesShard === null) {
    if (categoryShard !== null) await giveBack(tx, series.id, band.category, categoryShard);
    return { room: { series: false, category: categoryShard === null ? null : true }, shards: null };
  }
  return { room: { series: true, category: categoryShard === null ? null : true }, shards: { seriesShard, categoryShard } };
}

/** Room as it is now, without taking any (verifyAccess). */
export async function peekRoom(db: Sql, series: Series, band: Band): Promise<CheckInFacts['room']> {
  const rows = await db.query<{ pool: string; inside: number }>(
    `SELECT "pool", SUM("inside")::int AS "inside" FROM "OccupancyShard" WHERE "seriesId" = $1::uuid AND "pool" IN ('', $2) GROUP BY "pool"`,
    [series.id, band.category],
  );
  const inside = (pool: string) => rows.find((r) => r.pool === pool)?.inside ?? 0;
  return {
    series: inside('') < series.capacity,
    category: band.categoryCapacity === null ? null : inside(band.category) < band.categoryCapacity,
  };
}

/**
 * Scans and a change of a category limit exclude each other per series: every recording scan holds
 * this lock shared for its transaction, and `recountCategory` holds it alone. Advisory, so a scan
 * pays one lock-manager entry and no row write. (Two series whose ids hash alike only wait for each
 * other's rare limit changes.)
 */
const LOCK_CLASS = 5_200;
export const shareSeriesOccupancy = (seriesParam: string) =>
  `pg_advisory_xact_lock_shared(${LOCK_CLASS}, hashtext(${seriesParam}::text))`;

/**
 * Rebuilds a category's pool from who is inside now, for a limit set while the series runs: a limit
 * added mid-series starts from the wristbands of that category already inside (they get a shard, so
 * their exits give the place back), and a changed limit redistributes them over its new shards.
 * Returns how many are inside; the caller refuses a limit below that (checkLimitCoversInside), since
 * round robin keeps every shard within its share only while the count is within the limit.
 */
export async function recountCategory(tx: Sql, seriesId: string, category: string, capacity: number): Promise<number> {
  await tx.query(`SELECT 1 AS "held" FROM pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1::text))`, [seriesId]);
  const shards = shardCount(capacity);
  await tx.execute(
    `UPDATE "Presence" p SET "categoryShard" = m."shard"
     FROM (SELECT p2."wristbandId", (row_number() OVER (ORDER BY p2."wristbandId") - 1)::int % NULLIF($3::int, 0) AS "shard"
           FROM "Presence" p2 JOIN "Wristband" w ON w."id" = p2."wristbandId"
           WHERE p2."seriesId" = $1::uuid AND p2."inside" AND w."category" = $2) m
     WHERE p."seriesId" = $1::uuid AND p."wristbandId" = m."wristbandId"`,
    [seriesId, category, shards],
  );
  await tx.execute(`DELETE FROM "OccupancyShard" WHERE "seriesId" = $1::uuid AND "pool" = $2`, [seriesId, category]);
  const rows = await tx.query<{ inside: number }>(
    `INSERT INTO "OccupancyShard" ("seriesId", "pool", "shard", "inside")
     SELECT $1::uuid, $2, i, count(w."id")::int
     FROM generate_series(0, $3::int - 1) AS i
     LEFT JOIN "Presence" p ON p."seriesId" = $1::uuid AND p."inside" AND p."categoryShard" = i
     LEFT JOIN "Wristband" w ON w."id" = p."wristbandId" AND w."category" = $2
     GROUP BY i
     RETURNING "inside"`,
    [seriesId, category, shards],
  );
  if (shards > 0) return rows.reduce((n, r) => n + r.inside, 0);
  // no shards (a limit of 0): count them directly
  const [counted] = await tx.query<{ inside: number }>(
    `SELECT count(*)::int AS "inside" FROM "Presence" p JOIN "Wristband" w ON w."id" = p."wristbandId"
     WHERE p."seriesId" = $1::uuid AND p."inside" AND w."category" = $2`,
    [seriesId, category],
  );
  return counted!.inside;
}
