import { retentionCutoff as cutoff } from '@eventgraph/runtime';
import { accessRetention } from '../src/domain/retention';

describe('access retention rules', () => {
  it('keep check-ins 90 days and holders 30 days after the event by default', () => {
    expect(accessRetention({})).toEqual({ checkInDays: 90, holderGraceDays: 30 });
  });

  it('take periods from the environment, 0 meaning at once, and refuse anything else', () => {
    expect(accessRetention({ ACCESS_RETENTION_CHECKINS_DAYS: '7', ACCESS_RETENTION_HOLDER_GRACE_DAYS: '0' })).toEqual({
      checkInDays: 7,
      holderGraceDays: 0,
    });
    expect(() => accessRetention({ ACCESS_RETENTION_CHECKINS_DAYS: '-1' })).toThrow(/ACCESS_RETENTION_CHECKINS_DAYS/);
    expect(() => accessRetention({ ACCESS_RETENTION_HOLDER_GRACE_DAYS: '1.5' })).toThrow(/HOLDER_GRACE_DAYS/);
  });

  it('count a period back from now in whole days', () => {
    const now = new Date('2027-03-31T12:00:00Z');
    expect(cutoff(now, 30).toISOString()).toBe('2027-03-01T12:00:00.000Z');
    expect(cutoff(now, 0)).toEqual(now);
  });
});
