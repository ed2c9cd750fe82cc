import {
  RETENTION_RUN_TOPIC,
  retentionCutoff,
  retentionRunner,
  type ConsumerServices,
  type RetentionPolicy,
  type RetentionRunSummary,
} from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import { usersRetention, type UsersRetention } from '../domain/retention';

/** The users subgraph's retention policies (rules in domain/retention.ts), one bounded statement per batch. */
export function usersRetentionPolicies(rules: UsersRetention = usersRetention()): RetentionPolicy[] {
  const deleteOlder = (name: string, table: string, days: number, extra = '') => ({
    name,
    batch: async (sql: Parameters<RetentionPolicy['batch']>[0], limit: number, now: Date) => ({
      deleted: await sql.execute(
        `DELETE FROM "${table}" WHERE id IN (
           SELECT id FROM "${table}" WHERE "createdAt" < $1 ${extra} LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [retentionCutoff(now, days), limit],
      ),
    }),
  });
  return [
    // attempts go with their delivery (ON DELETE CASCADE)
    deleteOlder('users.webhook-deliveries', 'WebhookDelivery', rules.webhookDeliveryDays, `AND status IN ('SUCCEEDED', 'DEAD')`),
    deleteOlder('users.notifications', 'Notification', rules.notificationDays),
    {
      name: 'users.retention-runs',
      batch: async (sql, limit, now) => ({
        deleted: await sql.execute(
          `DELETE FROM "RetentionRun" WHERE id IN (
             SELECT id FROM "RetentionRun" WHERE "finishedAt" < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [retentionCutoff(now, rules.runDays), limit],
        ),
      }),
    },
  ];
}

export const runUsersRetention = (services: ConsumerServices<UsersDb>) =>
  retentionRunner('users', usersRetentionPolicies())(services);

/** Every subgraph's retention runs (`retention.run_completed`), kept once each by the event's id. */
export const recordRetentionRuns = ({ db, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('retention-runs'), RETENTION_RUN_TOPIC, async (event) => {
    const run = event.payload as Partial<RetentionRunSummary>;
    if (typeof run.subgraph !== 'string' || typeof run.policy !== 'string' || !run.startedAt || !run.finishedAt) return;
    const data = {
      subgraph: run.subgraph,
      policy: run.policy,
      startedAt: new Date(run.startedAt),
      finishedAt: new Date(run.finishedAt),
      deleted: Number(run.deleted ?? 0),
      anonymised: Number(run.anonymised ?? 0),
      batches: Number(run.batches ?? 0),
      error: typeof run.error === 'string' ? run.error : null,
    };
    await db.retentionRun.upsert({ where: { id: event.id }, create: { id: event.id, ...data }, update: {} });
  });
