import { retentionCutoff, retentionRunner, type RetentionPolicy } from '@eventgraph/runtime';
import { accessRetention, type AccessRetention } from '../domain/retention';

/** The access subgraph's retention policies (rules in domain/retention.ts), one bounded statement per batch. */
export function accessRetentionPolicies(rules: AccessRetention = accessRetention()): RetentionPolicy[] {
  return [
    {
      name: 'access.check-ins',
      batch: async (sql, limit, now) => ({
        deleted: await sql.execute(
          `DELETE FROM "CheckIn" WHERE id IN (
             SELECT c.id FROM "CheckIn" c JOIN "EventSeries" s ON s.id = c."seriesId"
             WHERE s."endsAt" < $1 LIMIT $2 FOR UPDATE OF c SKIP LOCKED)`,
          [retentionCutoff(now, rules.checkInDays), limit],
        ),
      }),
    },
    {
      name: 'access.ticket-holders',
      batch: async (sql, limit, now) => ({
        anonymised: await sql.execute(
          `UPDATE "Ticket" SET "holderName" = NULL, "holderEmail" = NULL, "updatedAt" = now() WHERE id IN (
             SELECT t.id FROM "Ticket" t
             WHERE (t."holderName" IS NOT NULL OR t."holderEmail" IS NOT NULL)
               AND (SELECT max(s."endsAt") FROM "EventSeries" s WHERE s."eventId" = t."eventId") < $1
             LIMIT $2 FOR UPDATE OF t SKIP LOCKED)`,
          [retentionCutoff(now, rules.holderGraceDays), limit],
        ),
      }),
    },
  ];
}

export const runAccessRetention = (services: Parameters<ReturnType<typeof retentionRunner>>[0]) =>
  retentionRunner('access', accessRetentionPolicies())(services);
