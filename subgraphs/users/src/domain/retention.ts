import { retentionDays } from '@eventgraph/runtime';

/**
 * Retention rules of the users subgraph (issue 15):
 * - webhook deliveries that ended (SUCCEEDED or DEAD) are deleted with their attempt log
 *   USERS_RETENTION_WEBHOOK_DELIVERY_DAYS (default 30) after they were made;
 * - notifications are deleted USERS_RETENTION_NOTIFICATION_DAYS (default 180) after they were made;
 * - the runs of every subgraph's policies are kept USERS_RETENTION_RUN_DAYS (default 365).
 */
export interface UsersRetention {
  webhookDeliveryDays: number;
  notificationDays: number;
  runDays: number;
}

export function usersRetention(env: Record<string, string | undefined> = process.env): UsersRetention {
  return {
    webhookDeliveryDays: retentionDays(env, 'USERS_RETENTION_WEBHOOK_DELIVERY_DAYS', 30),
    notificationDays: retentionDays(env, 'USERS_RETENTION_NOTIFICATION_DAYS', 180),
    runDays: retentionDays(env, 'USERS_RETENTION_RUN_DAYS', 365),
  };
}
