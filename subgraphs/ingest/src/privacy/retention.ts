import { retentionCutoff, retentionRunner, type RetentionPolicy } from '@eventgraph/runtime';
import { ingestRetention, type IngestRetention } from '../domain/retention';
import { scrubContactData } from '../domain/raw-contacts';

/**
 * Records whose event is long over and whose `raw` was not scrubbed since it was last written, locked so another
 * replica's pass takes the next ones (the partial index of migration raw_contact_retention serves it).
 */
const RAW_TO_SCRUB = `
  SELECT id, raw FROM "SourceRecord"
  WHERE "rawScrubbedAt" IS NULL AND coalesce("endsAt", "startsAt", "lastSeenAt") < $1
  ORDER BY coalesce("endsAt", "startsAt", "lastSeenAt") LIMIT $2 FOR UPDATE SKIP LOCKED`;
const WRITE_SCRUBBED = `
  UPDATE "SourceRecord" r SET raw = s.raw, "rawScrubbedAt" = now()
  FROM jsonb_to_recordset($1::jsonb) AS s(id uuid, raw jsonb) WHERE r.id = s.id`;

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
    {
      name: 'ingest.raw-contacts',
      // every record a batch reads is counted: its raw holds no contact data any more (most feeds never had any)
      batch: (sql, limit, now) =>
        sql.transaction(async (tx) => {
          const due = await tx.query<{ id: string; raw: unknown }>(RAW_TO_SCRUB, [
            retentionCutoff(now, rules.rawContactDays),
            limit,
          ]);
          if (due.length === 0) return { anonymised: 0 };
          const scrubbed = due.map(({ id, raw }) => ({ id, raw: scrubContactData(raw) }));
          await tx.execute(WRITE_SCRUBBED, [JSON.stringify(scrubbed)]);
          return { anonymised: due.length };
        }),
    },
  ];
}

export const runIngestRetention = (services: Parameters<ReturnType<typeof retentionRunner>>[0]) =>
  retentionRunner('ingest', ingestRetentionPolicies())(services);
