import { ingestRetention } from '../src/domain/retention';

describe('ingest retention rules', () => {
  it('keep dropped staging records 30 days, fetch runs 90 days and contacts in raw content 183 days by default', () => {
    expect(ingestRetention({})).toEqual({ stagingDays: 30, fetchRunDays: 90, rawContactDays: 183 });
  });

  it('take periods from the environment, 0 meaning at once, and refuse anything else', () => {
    expect(
      ingestRetention({
        INGEST_RETENTION_STAGING_DAYS: '0',
        INGEST_RETENTION_FETCH_RUN_DAYS: '14',
        INGEST_RETENTION_RAW_CONTACT_DAYS: '365',
      }),
    ).toEqual({ stagingDays: 0, fetchRunDays: 14, rawContactDays: 365 });
    expect(() => ingestRetention({ INGEST_RETENTION_STAGING_DAYS: '-3' })).toThrow(/INGEST_RETENTION_STAGING_DAYS/);
    expect(() => ingestRetention({ INGEST_RETENTION_FETCH_RUN_DAYS: 'ninety' })).toThrow(/FETCH_RUN_DAYS/);
    expect(() => ingestRetention({ INGEST_RETENTION_RAW_CONTACT_DAYS: '-1' })).toThrow(/RAW_CONTACT_DAYS/);
  });
});
