import { retentionDays } from '@eventgraph/runtime';

/**
 * Retention rules of the access subgraph (issue 15):
 * - check-in logs (CheckIn: who scanned which wristband where) are deleted ACCESS_RETENTION_CHECKINS_DAYS
 *   (default 90) after their series ended; the series' counters and metrics stay;
 * - ticket holders' names and emails are blanked ACCESS_RETENTION_HOLDER_GRACE_DAYS (default 30) after the
 *   event's last series ended: the ticket, its code and its booking stay for the organisation's accounts.
 */
export interface AccessRetention {
  checkInDays: number;
  holderGraceDays: number;
}

export function accessRetention(env: Record<string, string | undefined> = process.env): AccessRetention {
  return {
    checkInDays: retentionDays(env, 'ACCESS_RETENTION_CHECKINS_DAYS', 90),
    holderGraceDays: retentionDays(env, 'ACCESS_RETENTION_HOLDER_GRACE_DAYS', 30),
  };
}
