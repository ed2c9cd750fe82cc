export * from './database';
export { applyMigrations, createMigration, readMigrations } from './migrations';
export { withQueryMetrics, type QueryMetrics, type StatementOrigin } from './query-metrics';
export { executorOf, literal, SqlError, sqlOf, type Sql, type SqlDatabase, type SqlTransaction } from './sql';
