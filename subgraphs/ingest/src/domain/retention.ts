import { retentionDays } from '@eventgraph/runtime';

/**
 * Retention rules of the ingest subgraph (issue 15):
 * - staging records a feed no longer carries (REMOVED) or that never normalised (INVALID) are deleted
 *   INGEST_RETENTION_STAGING_DAYS (default 30) after they were last seen in their feed; records that are still
 *   carried stay, since they are what deduplication and provenance stand on;
 * - fetch runs and the records they refused are deleted INGEST_RETENTION_FETCH_RUN_DAYS (default 90) after they
 *   finished, except each source's latest run, which its health page shows;
 * - what a staging record's feed said (`raw`) loses its contact data (organisers' names, e-mail addresses and phone
 *   numbers: see raw-contacts.ts) INGEST_RETENTION_RAW_CONTACT_DAYS (default 183, about six months) after its
 *   event ended (its start when it gave no end; when it was last seen when it gave neither).
 */
export interface IngestRetention {
  stagingDays: number;
  fetchRunDays: number;
  rawContactDays: number;
}

export function ingestRetention(env: Record<string, string | undefined> = process.env): IngestRetention {
  return {
    stagingDays: retentionDays(env, 'INGEST_RETENTION_STAGING_DAYS', 30),
    fetchRunDays: retentionDays(env, 'INGEST_RETENTION_FETCH_RUN_DAYS', 90),
    rawContactDays: retentionDays(env, 'INGEST_RETENTION_RAW_CONTACT_DAYS', 183),
  };
}
