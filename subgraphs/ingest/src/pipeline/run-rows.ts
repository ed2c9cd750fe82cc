import { randomUUID } from 'node:crypto';
import type { Announce, Sql } from '@eventgraph/runtime';
import type { FetchRunStatus, RunCounts } from '../domain/fetch-run';
import type { RecordProblem } from '../domain/records';
import { inTransaction } from '../staging/services';
import type { PipelineServices } from './services';

/** The Source columns a run reads. */
export interface RunSource {
  id: string;
  organizationId: string | null;
  kind: 'ICAL' | 'RSS' | 'JSON' | 'CSV' | 'WEBHOOK' | 'HTML';
  url: string | null;
  config: unknown;
  credentials: string | null;
  etag: string | null;
  lastModified: string | null;
  requestsPerMinute: number;
  active: boolean;
}

export type RunTrigger = 'SCHEDULE' | 'MANUAL' | 'UPLOAD' | 'PUSH';

/** a run keeps at most this many per-record errors: enough to act on, bounded for a feed of junk */
const MAX_RECORDED_ERRORS = 500;

export async function loadRunSource(sql: Sql, sourceId: string): Promise<RunSource | null> {
  const [source] = await sql.query<RunSource>(
    `SELECT id, "organizationId", kind::text AS kind, url, config, credentials, etag, "lastModified", "requestsPerMinute", active
     FROM "Source" WHERE id = $1::uuid`,
    [sourceId],
  );
  return source ?? null;
}

const runEvent = (source: RunSource, runId: string) => ({
  fetchRunId: runId,
  sourceId: source.id,
  organizationId: source.organizationId,
});

export async function openRun(services: PipelineServices, source: RunSource, trigger: RunTrigger): Promise<string> {
  const runId = randomUUID();
  await inTransaction(services.sql, async (tx, announce) => {
    await tx.execute(`INSERT INTO "FetchRun" (id, "sourceId", trigger) VALUES ($1::uuid, $2::uuid, $3::"FetchRunTrigger")`, [
      runId,
      source.id,
      trigger,
    ]);
    await announce('ingest.run.started', runEvent(source, runId));
  });
  return runId;
}

const COUNT_COLUMNS: Record<keyof RunCounts, string> = {
  found: 'foundCount',
  new: 'newCount',
  updated: 'updatedCount',
  unchanged: 'unchangedCount',
  duplicate: 'duplicateCount',
  rejected: 'rejectedCount',
  removed: 'removedCount',
};
const setCounts = (from: number) =>
  Object.values(COUNT_COLUMNS)
    .map((column, i) => `"${column}" = $${from + i}`)
    .join(', ');
const countValues = (counts: RunCounts) => (Object.keys(COUNT_COLUMNS) as (keyof RunCounts)[]).map((k) => counts[k]);
const returnCounts = Object.entries(COUNT_COLUMNS)
  .map(([key, column]) => `"${column}" AS "${key}"`)
  .join(', ');

/**
 * Runs of the source's own fetches still marked RUNNING when a worker claims it: their worker stopped (crashed,
 * killed) before it could end them, as the lease it held ran out. They end FAILED so they do not run forever.
 * Push and upload runs are not held by the lease (they may run alongside), so they are left alone.
 */
export async function closeAbandonedRuns(services: PipelineServices, source: RunSource): Promise<void> {
  await inTransaction(services.sql, async (tx, announce) => {
    const abandoned = await tx.query<{ id: string } & RunCounts>(
      `UPDATE "FetchRun" SET status = 'FAILED', "finishedAt" = now(),
         "durationMs" = (extract(epoch FROM now() - "startedAt") * 1000)::int,
         "errorCode" = 'INTERNAL_ERROR', error = 'the worker running it stopped before the run ended; the source runs again'
       WHERE "sourceId" = $1::uuid AND status = 'RUNNING' AND trigger IN ('SCHEDULE', 'MANUAL')
       RETURNING id, ${returnCounts}`,
      [source.id],
    );
    for (const { id, ...counts } of abandoned)
      await announce('ingest.run.finished', { ...runEvent(source, id), status: 'FAILED', itemCount: counts.found, ...counts });
  });
}

async function writeErrors(tx: Sql, runId: string, problems: RecordProblem[], alreadyRecorded: number): Promise<number> {
  const room = Math.max(0, MAX_RECORDED_ERRORS - alreadyRecorded);
  const kept = problems.slice(0, room);
  if (kept.length)
    await tx.execute(
      `INSERT INTO "FetchRunError" ("runId", ref, code, reason)
       SELECT $1::uuid, e.ref, e.code, e.reason FROM jsonb_to_recordset($2::jsonb) AS e(ref text, code text, reason text)`,
      [runId, JSON.stringify(kept.map((p) => ({ ref: p.ref ?? null, code: p.code, reason: p.reason })))],
    );
  return kept.length;
}

/** The run's counts so far and the batch's refusals, announced as progress in the same transaction. */
export function recordProgress(
  services: PipelineServices,
  source: RunSource,
  runId: string,
  counts: RunCounts,
  problems: RecordProblem[],
  errorsRecorded: number,
): Promise<number> {
  return inTransaction(services.sql, async (tx: Sql, announce: Announce) => {
    await tx.execute(`UPDATE "FetchRun" SET ${setCounts(2)} WHERE id = $1::uuid`, [runId, ...countValues(counts)]);
    const written = await writeErrors(tx, runId, problems, errorsRecorded);
    await announce('ingest.run.progress', { ...runEvent(source, runId), ...counts });
    return written;
  });
}

export interface RunEnding {
  status: Exclude<FetchRunStatus, 'RUNNING'>;
  counts: RunCounts;
  problems: RecordProblem[];
  errorsRecorded: number;
  startedAt: number;
  httpStatus?: number;
  errorCode?: string;
  error?: string;
  /** the feed's validators, for the next conditional request */
  validators?: { etag: string | null; lastModified: string | null };
}

/**
 * Ends the run once (a run already ended is left as it is) and brings the source's health up to date, in one
 * transaction with the `ingest.run.finished` announcement.
 */
export function closeRun(services: PipelineServices, source: RunSource, runId: string, ending: RunEnding): Promise<void> {
  const succeeded = ending.status !== 'FAILED';
  return inTransaction(services.sql, async (tx, announce) => {
    const ended = await tx.execute(
      `UPDATE "FetchRun" SET status = $2::"FetchRunStatus", "finishedAt" = now(), "durationMs" = $3, "httpStatus" = $4,
         "errorCode" = $5, error = $6, ${setCounts(7)}
       WHERE id = $1::uuid AND status = 'RUNNING'`,
      [
        runId,
        ending.status,
        Date.now() - ending.startedAt,
        ending.httpStatus ?? null,
        ending.errorCode ?? null,
        ending.error ?? null,
        ...countValues(ending.counts),
      ],
    );
    if (ended === 0) return;
    await writeErrors(tx, runId, ending.problems, ending.errorsRecorded);
    await tx.execute(
      `UPDATE "Source" SET "lastRunAt" = now(), "runCount" = "runCount" + 1,
         "successCount" = "successCount" + $2, "failureStreak" = CASE WHEN $3 THEN 0 ELSE "failureStreak" + 1 END,
         "lastSuccessAt" = CASE WHEN $3 THEN now() ELSE "lastSuccessAt" END, "recordsFound" = "recordsFound" + $4,
         etag = CASE WHEN $5 THEN $6 ELSE etag END, "lastModified" = CASE WHEN $5 THEN $7 ELSE "lastModified" END
       WHERE id = $1::uuid`,
      [
        source.id,
        succeeded ? 1 : 0,
        succeeded,
        ending.counts.found,
        !!ending.validators,
        ending.validators?.etag ?? null,
        ending.validators?.lastModified ?? null,
      ],
    );
    await announce('ingest.run.finished', {
      ...runEvent(source, runId),
      status: ending.status,
      itemCount: ending.counts.found,
      ...ending.counts,
    });
  });
}
