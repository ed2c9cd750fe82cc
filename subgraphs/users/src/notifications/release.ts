import { recordEvents, type ConsumerServices, type Logger, type SqlExecutor } from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import { wakeDeliveryWorker } from './delivery-worker';
import { queueDeliveries } from './deliveries';
import { queueDailyDigests } from './digest';

/** The bus topic of a notification reaching its user (the `notificationReceived` stream listens to it). */
export const NOTIFICATION_TOPIC = 'notification.delivered';

const BATCH = 500;
const DEFAULT_INTERVAL_MS = 15_000;

interface Released {
  id: string;
  userId: string;
  eventId: string;
  inDigest: boolean;
}

/**
 * Delivers the notifications that are due (made outside quiet hours, or whose quiet hours ended): marks
 * them announced and writes one bus event each, in one transaction, so each is announced once even with
 * replicas (FOR UPDATE SKIP LOCKED). Those folded into a digest are marked but not announced on their own.
 * Returns how many were released.
 */
export async function releaseDueNotifications(db: UsersDb): Promise<number> {
  let total = 0;
  let mailed = 0;
  for (;;) {
    const released = await db.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<Released[]>(
        `UPDATE "Notification" SET "announcedAt" = now()
         WHERE "id" IN (
           SELECT "id" FROM "Notification" WHERE "announcedAt" IS NULL AND "deliverAt" <= now()
           ORDER BY "deliverAt" LIMIT $1::int FOR UPDATE SKIP LOCKED)
         RETURNING "id"::text AS "id", "userId"::text AS "userId", "eventId"::text AS "eventId", "inDigest"`,
        BATCH,
      );
      const sent = rows.filter((n) => !n.inDigest);
      await recordEvents(
        tx as unknown as SqlExecutor,
        'users',
        NOTIFICATION_TOPIC,
        sent.map((n) => ({ userId: n.userId, notificationId: n.id, eventId: n.eventId })),
      );
      mailed += await queueDeliveries(tx, sent);
      return rows.length;
    });
    total += released;
    if (released < BATCH) {
      if (mailed > 0) wakeDeliveryWorker(db);
      return total;
    }
  }
}

/** Wakes the release step of each database in this process right after the matcher wrote notifications. */
const releasers = new WeakMap<object, () => void>();
export const releaseNow = (db: object) => releasers.get(db)?.();

/**
 * Releases held notifications when their quiet hours end: a pass every NOTIFICATION_RELEASE_INTERVAL_MS (default
 * 15 s) and one whenever the matcher wrote some. The daily digests that are due are queued at most once an interval
 * (a day-level schedule needs no more, and the matcher's passes come with every busy event).
 */
export function releaseNotifications({ db, log }: ConsumerServices<UsersDb>): () => Promise<void> {
  const intervalMs = Number(process.env.NOTIFICATION_RELEASE_INTERVAL_MS ?? DEFAULT_INTERVAL_MS);
  const logger: Logger = log.child({ component: 'notifications' });
  let running: Promise<unknown> = Promise.resolve();
  let again = false;
  let busy = false;
  let stopped = false;
  let digestsQueuedAt = 0;
  const pass = () => {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    running = (async () => {
      do {
        again = false;
        await releaseDueNotifications(db).catch((err) => stopped || logger.warn({ err }, 'releasing notifications failed'));
        if (Date.now() - digestsQueuedAt < intervalMs) continue;
        digestsQueuedAt = Date.now();
        await queueDailyDigests(db).catch((err) => stopped || logger.warn({ err }, 'queueing daily digests failed'));
      } while (again && !stopped);
      busy = false;
    })();
  };
  releasers.set(db, pass);
  const timer = setInterval(pass, intervalMs);
  timer.unref?.();
  pass();
  return async () => {
    stopped = true;
    clearInterval(timer);
    if (releasers.get(db) === pass) releasers.delete(db);
    await running;
  };
}
