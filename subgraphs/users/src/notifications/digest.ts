import type { UsersDb } from '../context';
import { digestDueBefore } from '../domain/notification-matching';
import { queueDeliveries } from './deliveries';
import { wakeDeliveryWorker } from './delivery-worker';

/** users looked at per statement */
const PAGE = 200;

interface Waiting {
  userId: string;
  timeZone: string;
  quietFrom: number | null;
  quietTo: number | null;
}

/**
 * Queues the daily digests that are due: for every user with notifications folded over the day's cap
 * (`inDigest`, announced, not yet digested), those of local days that have ended go out as one EMAIL / PUSH
 * delivery per channel the user chose (domain: digestDueBefore). Each row is marked `digestedAt` in the same
 * transaction as its delivery; a replica doing the same waits on the row lock, then finds it digested (the
 * UPDATE's condition is checked again), so none is queued twice. Users are walked
 * in pages by id, so those still waiting (quiet hours, a day not over) never hold up the rest.
 * Returns how many notifications were digested.
 */
export async function queueDailyDigests(db: UsersDb, now = new Date()): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  let queued = 0;
  for (;;) {
    const waiting = await db.$queryRawUnsafe<Waiting[]>(
      `SELECT DISTINCT ON (n."userId") n."userId"::text AS "userId", p."timeZone", p."quietFrom", p."quietTo"
       FROM "Notification" n JOIN "NotificationPreference" p ON p."userId" = n."userId"
       WHERE n."inDigest" AND n."digestedAt" IS NULL AND n."announcedAt" IS NOT NULL AND n."userId" > $1::uuid
       ORDER BY n."userId" LIMIT $2::int`,
      after,
      PAGE,
    );
    if (waiting.length === 0) break;
    after = waiting[waiting.length - 1]!.userId;
    const due = waiting.flatMap((w) => {
      const before = digestDueBefore(w, now);
      return before ? [{ userId: w.userId, before: before.toISOString() }] : [];
    });
    if (due.length) {
      const [digested, deliveries] = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ id: string; userId: string }[]>(
          `UPDATE "Notification" n SET "digestedAt" = $2::timestamptz
           FROM jsonb_to_recordset($1::jsonb) AS u("userId" text, "before" timestamptz)
           WHERE n."userId" = u."userId"::uuid AND n."inDigest" AND n."digestedAt" IS NULL
             AND n."announcedAt" IS NOT NULL AND n."createdAt" < u."before"
           RETURNING n."id"::text AS "id", n."userId"::text AS "userId"`,
          JSON.stringify(due),
          now,
        );
        return [rows.length, await queueDeliveries(tx, rows, { daily: true })] as const;
      });
      total += digested;
      queued += deliveries;
    }
    if (waiting.length < PAGE) break;
  }
  if (queued > 0) wakeDeliveryWorker(db);
  return total;
}
