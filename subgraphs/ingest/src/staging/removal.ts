import { recomputeCanonicalEvents } from '../canonical/recompute';
import { inTransaction, type StagedSource, type StagingServices } from './services';

export interface RemovalInput {
  source: StagedSource;
  runId: string;
  /** every external id the complete run saw (valid records); records staged by this run count as seen too */
  seenExternalIds: Set<string>;
  /** records that start before this are left alone: recurring events are expanded from here on, so an earlier
   * occurrence missing from the run says nothing about the feed */
  since?: Date;
}

/**
 * After a complete fetch: the source's records its feed no longer has become REMOVED (kept, never deleted), and
 * their canonical events are recomputed — cancelled, and the cancellation announced if they were public, once no
 * other live record still has them. One statement marks them all.
 */
export async function markMissingRemoved(services: StagingServices, input: RemovalInput): Promise<{ removed: number }> {
  return inTransaction(services.sql, async (tx, announce) => {
    const removed = await tx.query<{ canonicalEventId: string | null }>(
      `UPDATE "SourceRecord" SET state = 'REMOVED', "removedAt" = now()
       WHERE "sourceId" = $1::uuid AND state <> 'REMOVED' AND "lastRunId" IS DISTINCT FROM $2::uuid
         AND "externalId" NOT IN (SELECT jsonb_array_elements_text($3::jsonb))
         AND ($4::timestamptz IS NULL OR "startsAt" IS NULL OR "startsAt" >= $4::timestamptz)
       RETURNING "canonicalEventId"`,
      [input.source.id, input.runId, JSON.stringify([...input.seenExternalIds]), input.since?.toISOString() ?? null],
    );
    const affected = removed.map((r) => r.canonicalEventId).filter((id): id is string => !!id);
    await recomputeCanonicalEvents(tx, announce, affected);
    return { removed: removed.length };
  });
}
