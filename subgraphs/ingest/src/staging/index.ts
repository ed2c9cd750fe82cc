/**
 * Staging: where fetched records land (SourceRecord), are placed in canonical events and leave when their feed
 * drops them. The pipeline calls `stageRecords` per batch and `markMissingRemoved` after a complete run.
 */
export { stageRecords, stageInTransaction, type StageCounts, type StageInput } from './stage';
export { markMissingRemoved, type RemovalInput } from './removal';
export { invalidExternalId } from './record-rows';
export type { StagingServices, StagedSource } from './services';
