import { ConfigError } from '@eventgraph/runtime';
import { loadPipelineLimits } from '../src/pipeline';
import { loadWorkerSettings } from '../src/queue';

describe('ingest settings', () => {
  it('default to a five-second look, two runs at once, two-minute leases, a year of recurrences', () => {
    expect(loadWorkerSettings({})).toEqual({ intervalMs: 5000, concurrency: 2, leaseMs: 120_000 });
    expect(loadPipelineLimits({})).toEqual({ horizonDays: 365, batchSize: 500, maxPages: 20 });
    expect(loadPipelineLimits({ INGEST_HORIZON_DAYS: '30', INGEST_BATCH_SIZE: '100' })).toMatchObject({
      horizonDays: 30,
      batchSize: 100,
    });
  });

  it('stop the start on a bad value, naming it', () => {
    expect(() => loadWorkerSettings({ INGEST_LEASE_MS: '5' })).toThrow(ConfigError);
    expect(() => loadWorkerSettings({ INGEST_WORKER_CONCURRENCY: 'many' })).toThrow(/INGEST_WORKER_CONCURRENCY/);
    expect(() => loadPipelineLimits({ INGEST_MAX_PAGES: '0' })).toThrow(/INGEST_MAX_PAGES/);
  });
});
