import { ingestRetention } from '../src/domain/retention';

describe('ingest retention rules', () => {
  it('keep dropped staging records 30 days and fetch runs 90 days by default', () => {
    expect(ingestRetention({})).toEqual({ stagingDays: 30, fetchRunDays: 90 });
  });

  it('take periods from the environment, 0 meaning at once, and refuse anything else', () => {
    expect(ingestRetention({ INGEST_RETENTION_STAGING_DAYS: '0', INGEST_RETENTION_FETCH_RUN_DAYS: '14' })).toEqual({
      stagingDays: 0,
      fetchRunDays: 14,
    });
    expect(() => ingestRetention({ INGEST_RETENTION_STAGING_DAYS: '-3' })).toThrow(/INGEST_RETENTION_STAGING_DAYS/);
    expect(() => ingestRetention({ INGEST_RETENTION_FETCH_RUN_DAYS: 'ninety' })).toThrow(/FETCH_RUN_DAYS/);
  });
});
