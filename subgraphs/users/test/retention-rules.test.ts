import { retentionSettings } from '@eventgraph/runtime';
import { usersRetention } from '../src/domain/retention';

describe('users retention rules', () => {
  it('keep ended webhook deliveries 30 days, notifications 180 and runs a year by default', () => {
    expect(usersRetention({})).toEqual({ webhookDeliveryDays: 30, notificationDays: 180, runDays: 365 });
  });

  it('take periods from the environment and refuse what is not a whole number of days', () => {
    expect(usersRetention({ USERS_RETENTION_NOTIFICATION_DAYS: '14' }).notificationDays).toBe(14);
    expect(() => usersRetention({ USERS_RETENTION_WEBHOOK_DELIVERY_DAYS: 'soon' })).toThrow(/WEBHOOK_DELIVERY_DAYS/);
  });

  it('run hourly in batches of 500 unless told otherwise', () => {
    expect(retentionSettings({})).toEqual({ intervalMs: 3_600_000, batchSize: 500 });
    expect(retentionSettings({ EVENTGRAPH_RETENTION_INTERVAL_MS: '300', EVENTGRAPH_RETENTION_BATCH: '50' })).toEqual({
      intervalMs: 300,
      batchSize: 50,
    });
    expect(() => retentionSettings({ EVENTGRAPH_RETENTION_BATCH: '0' })).toThrow(/EVENTGRAPH_RETENTION_BATCH/);
  });
});
