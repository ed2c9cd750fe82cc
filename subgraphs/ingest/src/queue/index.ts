export { claimDueSources, releaseLease, renewLease, requestRun } from './claims';
export { loadWorkerSettings, RunQueueWorker, wakeRunQueue, type WorkerSettings } from './worker';
