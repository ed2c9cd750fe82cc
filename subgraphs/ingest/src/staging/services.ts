import { literal, outboxInsert, type Announce, type Sql, type SqlDatabase } from '@eventgraph/runtime';
import { dedupSettingsFromEnv, type DedupSettings } from '../canonical/dedup-rules';

/** What staging needs of the subgraph: its plain-SQL connection (a ConsumerServices fits). */
export interface StagingServices {
  sql: SqlDatabase;
}

/** The source a batch came from (a Source row fits). */
export interface StagedSource {
  id: string;
}

/**
 * One transaction whose bus events are written with the COMMIT (in its round trip, on a server): the outbox
 * relay publishes them once committed, exactly as `ctx.transactSql` does for a request.
 */
export function inTransaction<T>(sql: SqlDatabase, fn: (tx: Sql, announce: Announce) => Promise<T>): Promise<T> {
  return sql.transaction((tx) =>
    fn(tx, async (topic, payload) => {
      tx.atCommit(outboxInsert('ingest', topic, payload, literal).statement);
    }),
  );
}

let settings: DedupSettings | undefined;
/** read once from the environment (INGEST_DEDUP_WEIGHTS, INGEST_DEDUP_THRESHOLD); a bad value is a ConfigError */
export function dedupSettings(): DedupSettings {
  settings ??= dedupSettingsFromEnv(process.env);
  return settings;
}
