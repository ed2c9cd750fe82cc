import type { Sql } from '@eventgraph/runtime';
import { shardCount } from '../domain/occupancy';

/*
 * Taking and giving back places in the occupancy shards is part of a scan's one statement: the
 * functions checkin_take_place and checkin_give_back of the access migration
 * 20261205115605_checkin_scan_function (the rules of src/domain/occupancy.ts, in SQL).
 */

/**
 * Scans and a change of a category limit exclude each other per series: every recording scan holds
 * this lock shared for its transaction (checkin_scan takes it with this class, 5200), and
 * `recountCategory` holds it alone. Advisory, so a scan pays one lock-manager entry and no row write.
 * (Two series whose ids hash alike only wait for each other's rare limit changes.)
 */
const LOCK_CLASS = 5_200;

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
