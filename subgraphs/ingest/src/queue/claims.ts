import type { Sql } from '@eventgraph/runtime';

/** Asks for a run as soon as a worker is free; false when the source does not exist. */
export async function requestRun(sql: Sql, sourceId: string): Promise<boolean> {
  return (await sql.execute(`UPDATE "Source" SET "runRequestedAt" = now() WHERE id = $1::uuid`, [sourceId])) > 0;
}

/**
 * The run queue lives on the Source rows: a source is due when it is active and its nextRunAt has come, and one
 * worker at a time holds it by a lease (leaseOwner, leaseUntil). Claims skip rows another worker is claiming
 * (SKIP LOCKED), so replicas never run one source twice at once; a lease left by a crashed worker runs out and
 * the source is claimed again. Durable: nothing but these columns, so a restart loses nothing.
 */
export async function claimDueSources(
  sql: Sql,
  owner: string,
  leaseMs: number,
  limit: number,
): Promise<Array<{ id: string; manual: boolean }>> {
  const rows = await sql.query<{ id: string; manual: boolean }>(
    `UPDATE "Source" SET "leaseOwner" = $1, "leaseUntil" = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (
       SELECT id FROM "Source"
       WHERE active AND ("nextRunAt" <= now() OR "runRequestedAt" IS NOT NULL)
         AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
       ORDER BY "runRequestedAt" NULLS LAST, priority DESC, "nextRunAt" LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING id, "runRequestedAt" IS NOT NULL AS manual`,
    [owner, leaseMs, limit],
  );
  return rows;
}

/** Keeps the lease while the run goes on; false when it was lost (taken over after running out). */
export async function renewLease(sql: Sql, sourceId: string, owner: string, leaseMs: number): Promise<boolean> {
  const renewed = await sql.execute(
    `UPDATE "Source" SET "leaseUntil" = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id = $1::uuid AND "leaseOwner" = $2`,
    [sourceId, owner, leaseMs],
  );
  return renewed > 0;
}

/** Gives the source back with its next run time (null: not scheduled; it runs when asked); a request to run is met. */
export async function releaseLease(sql: Sql, sourceId: string, owner: string, nextRunAt: Date | null): Promise<void> {
  await sql.execute(
    `UPDATE "Source" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "nextRunAt" = $3::timestamptz, "runRequestedAt" = NULL
     WHERE id = $1::uuid AND "leaseOwner" = $2`,
    [sourceId, owner, nextRunAt?.toISOString() ?? null],
  );
}

/** The facts the next run time is decided from, once the run has been recorded. */
export async function scheduleFacts(
  sql: Sql,
  sourceId: string,
): Promise<{ scheduleSeconds: number; failureStreak: number } | undefined> {
  const [row] = await sql.query<{ scheduleSeconds: number; failureStreak: number }>(
    `SELECT "scheduleSeconds", "failureStreak" FROM "Source" WHERE id = $1::uuid`,
    [sourceId],
  );
  return row;
}
