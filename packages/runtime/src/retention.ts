import { recordEvent } from './bus';
import { ConfigError } from './config';
import { executorOf, type SqlDatabase } from './db';
import { runPeriodically } from './periodic';
import type { ConsumerServices } from './subgraph';

/**
 * Retention (issue 15): each subgraph names its policies (what is personal or bulky, how long it is kept: rules
 * in its `src/domain/retention.ts`), and this runner applies them on a timer in bounded batches (each batch one
 * statement with LIMIT and SKIP LOCKED, so replicas share the work and no statement runs long). Every run is
 * announced as `retention.run_completed` through the subgraph's outbox; the users subgraph records the runs for
 * platform admins (`retentionRuns`).
 */
export const RETENTION_RUN_TOPIC = 'retention.run_completed';

export interface RetentionBatch {
  deleted?: number;
  anonymised?: number;
}

export interface RetentionPolicy {
  /** `<subgraph>.<what>`, e.g. access.check-ins */
  name: string;
  /** one bounded statement over at most `limit` rows due at `now`; fewer than `limit` rows ends the run */
  batch(sql: SqlDatabase, limit: number, now: Date): Promise<RetentionBatch>;
}

export interface RetentionSettings {
  /** EVENTGRAPH_RETENTION_INTERVAL_MS: how often the policies run (default one hour) */
  intervalMs: number;
  /** EVENTGRAPH_RETENTION_BATCH: rows per statement (default 500) */
  batchSize: number;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigError([`${name}: must be an integer >= ${min}`]);
  return value;
}

export function retentionSettings(env: Record<string, string | undefined> = process.env): RetentionSettings {
  return {
    intervalMs: positiveInt(env, 'EVENTGRAPH_RETENTION_INTERVAL_MS', 3_600_000, 10),
    batchSize: positiveInt(env, 'EVENTGRAPH_RETENTION_BATCH', 500),
  };
}

/** The instant before which a retention period of `days` has run out at `now`. */
export const retentionCutoff = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/** A period in days from the environment (0 allowed: at once), for a subgraph's policy settings. */
export const retentionDays = (env: Record<string, string | undefined>, name: string, fallback: number) =>
  positiveInt(env, name, fallback, 0);

export interface RetentionRunSummary {
  subgraph: string;
  policy: string;
  startedAt: string;
  finishedAt: string;
  deleted: number;
  anonymised: number;
  batches: number;
  error: string | null;
}

/** Runs one policy to the end (batch after batch) and announces the run, failed or not. */
export async function runRetentionPolicy(
  sql: SqlDatabase,
  subgraph: string,
  policy: RetentionPolicy,
  batchSize: number,
  now = new Date(),
): Promise<RetentionRunSummary> {
  const summary: RetentionRunSummary = {
    subgraph,
    policy: policy.name,
    startedAt: new Date().toISOString(),
    finishedAt: '',
    deleted: 0,
    anonymised: 0,
    batches: 0,
    error: null,
  };
  try {
    for (;;) {
      const { deleted = 0, anonymised = 0 } = await policy.batch(sql, batchSize, now);
      summary.batches += 1;
      summary.deleted += deleted;
      summary.anonymised += anonymised;
      if (deleted + anonymised < batchSize) break;
    }
  } catch (err) {
    // the run is recorded as failed; what earlier batches did stays done
    summary.error = err instanceof Error ? err.message.slice(0, 300) : 'failed';
  }
  summary.finishedAt = new Date().toISOString();
  await sql.transaction((tx) => recordEvent(executorOf(tx), subgraph, RETENTION_RUN_TOPIC, { ...summary }));
  return summary;
}

/** A subgraph consumer that runs `policies` at start and then every interval, one after the other. */
export function retentionRunner(subgraph: string, policies: readonly RetentionPolicy[], settings = retentionSettings()) {
  return ({ sql, log }: Pick<ConsumerServices<unknown>, 'sql' | 'log'>) => {
    let stopped = false;
    const stop = runPeriodically(
      'retention pass',
      settings.intervalMs,
      async () => {
        for (const policy of policies) {
          if (stopped) return;
          const run = await runRetentionPolicy(sql, subgraph, policy, settings.batchSize);
          if (run.error) log.warn({ policy: run.policy, error: run.error }, 'retention run failed');
          else if (run.deleted || run.anonymised) log.info(run, 'retention run');
        }
      },
      log,
    );
    return () => {
      stopped = true;
      return stop();
    };
  };
}
