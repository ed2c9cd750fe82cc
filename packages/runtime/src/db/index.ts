export * from './database';
export { applyMigrations, createMigration, readMigrations } from './migrations';
export { pendingMigrations, waitForMigrations, type WaitForMigrationsOptions } from './migration-status';
export { withQueryMetrics, type QueryMetrics, type StatementOrigin } from './query-metrics';
export {
  copyText,
  executorOf,
  literal,
  PLANNED_EACH_TIME,
  SqlError,
  sqlOf,
  type Sql,
  type SqlDatabase,
  type SqlTransaction,
} from './sql';
