export * from './database';
export { applyMigrations, createMigration, readMigrations } from './migrations';
