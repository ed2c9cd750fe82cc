import { loadIntSettings, type Logger, type SqlDatabase } from '@eventgraph/runtime';
import { loadSecretBox, type SecretBox } from '../credentials';
import { loadFetchSettings, type FetchSettings } from '../fetch';

/** What a run needs, the same whether the queue's worker or a push/upload route starts it. */
export interface PipelineServices {
  sql: SqlDatabase;
  log: Logger;
  box: SecretBox;
  fetch: FetchSettings;
  /** how far ahead recurring events are expanded (INGEST_HORIZON_DAYS, default 365) */
  horizonDays: number;
  /** records staged per transaction (INGEST_BATCH_SIZE, default 500) */
  batchSize: number;
  /** pages a paged source (JSON, HTML) is followed through per run (INGEST_MAX_PAGES, default 20) */
  maxPages: number;
}

/** INGEST_HORIZON_DAYS, INGEST_BATCH_SIZE, INGEST_MAX_PAGES; a bad value stops the start naming the setting. */
export function loadPipelineLimits(
  env: Record<string, string | undefined> = process.env,
): Pick<PipelineServices, 'horizonDays' | 'batchSize' | 'maxPages'> {
  const limits = loadIntSettings(
    { INGEST_HORIZON_DAYS: [365, 1, 3650], INGEST_BATCH_SIZE: [500, 1, 10_000], INGEST_MAX_PAGES: [20, 1, 1000] },
    env,
  );
  return { horizonDays: limits.INGEST_HORIZON_DAYS, batchSize: limits.INGEST_BATCH_SIZE, maxPages: limits.INGEST_MAX_PAGES };
}

let box: SecretBox | undefined;
/** The box sources' credentials are sealed with, its key read from the environment once (INGEST_CREDENTIALS_KEY). */
export const secretBox = (log?: Logger): SecretBox => (box ??= loadSecretBox(process.env, log));

let shared: Omit<PipelineServices, 'sql' | 'log'> | undefined;

/**
 * The pipeline's services on a connection: the credentials box, fetch settings and limits are read from the
 * environment once (the worker asks first, at start, so a bad or missing production key stops the start).
 */
export function pipelineServices(base: { sql: SqlDatabase; log: Logger }): PipelineServices {
  shared ??= { box: secretBox(base.log), fetch: loadFetchSettings(), ...loadPipelineLimits() };
  return { ...shared, ...base };
}
