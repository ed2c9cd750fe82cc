/**
 * The ingest pipeline: fetch → parse → normalise → deduplicate → stage, recorded as a fetch run. The queue's
 * worker starts `runSource`; the push and upload routes hand their bodies to `ingestPayload`.
 */
export { ingestPayload, runSource, type IngestPayload, type RunSummary } from './run-source';
export { loadPipelineLimits, pipelineServices, secretBox, type PipelineServices } from './services';
