export * from './database';
export { applyMigrations, createMigration, readMigrations } from './migrations';
export { withQueryMetrics, type QueryMetrics } from './query-metrics';
export { executorOf, SqlError, sqlOf, type Sql, type SqlDatabase } from './sql';
