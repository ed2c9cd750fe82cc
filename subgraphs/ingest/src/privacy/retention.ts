import { retentionCutoff, retentionRunner, type RetentionPolicy } from '@eventgraph/runtime';
import { ingestRetention, type IngestRetention } from '../domain/retention';

/** The ingest subgraph's retention policies (rules in domain/retention.ts), one bounded statement per batch. */
export function ingestRetentionPolicies(rules: IngestRetention = ingestRetention()): RetentionPolicy[] {
  return [
    {
      name: 'ingest.staging',
      batch: async (sql, limit, now) => {
        // the explanations of their placement (DuplicateMatch) go with them, in the same statement
        const [gone] = await sql.query<{ deleted: number }>(
          `WITH gone AS (
             DELETE FROM "SourceRecord" WHERE id IN (
               SELECT r.id FROM "SourceRecord" r
               WHERE r."state" IN ('REMOVED', 'INVALID') AND coalesce(r."removedAt", r."lastSeenAt") < $1
               LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING id),
           matches AS (DELETE FROM "DuplicateMatch" WHERE "recordId" IN (SELECT id FROM gone))
           SELECT count(*)::int AS deleted FROM gone`,
          [retentionCutoff(now, rules.stagingDays), limit],
        );
        return { deleted: gone?.deleted ?? 0 };
      },
    },
    {
      name: 'ingest.fetch-runs',
      batch: async (sql, limit, now) => ({
        // their refused records (FetchRunError) go with them (ON DELETE CASCADE)
        deleted: await sql.execute(
          `DELETE FROM "FetchRun" WHERE id IN (
             SELECT r.id FROM "FetchRun" r
             WHERE r."finishedAt" < $1
               AND r.id <> (SELECT l.id FROM "FetchRun" l WHERE l."sourceId" = r."sourceId" ORDER BY l."startedAt" DESC, l.id DESC LIMIT 1)
             LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [retentionCutoff(now, rules.fetchRunDays), limit],
        ),
      }),
    },
  ];
}

export const runIngestRetention = (services: Parameters<ReturnType<typeof retentionRunner>>[0]) =>
  retentionRunner('ingest', ingestRetentionPolicies())(services);
