import { randomUUID } from 'node:crypto';
import { loadPlatformSettings, type ConsumerServices, type Logger } from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import type { Reason } from '../domain/notification-matching';
import { UNSUBSCRIBE_TTL_MS, unsubscribeToken } from '../domain/notification-unsubscribe';
import { backoffDelayMs, type BackoffPolicy } from '../domain/webhooks';
import { notificationMail, smtpSender, type SendMail } from './mail';
import { PermanentFailure, pushSender, type PushTo } from './push';

export interface DeliverySettings {
  pollIntervalMs: number;
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** where the gateway serves GET /unsubscribe */
  publicUrl: string;
  secret: string;
}

export function loadDeliverySettings(env: Record<string, string | undefined> = process.env): DeliverySettings {
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    pollIntervalMs: num('NOTIFICATION_DELIVERY_POLL_MS', 2000),
    concurrency: num('NOTIFICATION_DELIVERY_CONCURRENCY', 8),
    leaseMs: 60_000,
    maxAttempts: num('NOTIFICATION_DELIVERY_MAX_ATTEMPTS', 8),
    backoff: { baseMs: num('NOTIFICATION_DELIVERY_BACKOFF_MS', 5000), capMs: 3_600_000, jitter: 'full' },
    publicUrl: (env.NOTIFICATION_PUBLIC_URL ?? 'http://localhost:4000').replace(/\/$/, ''),
    secret: loadPlatformSettings(env).EVENTGRAPH_PRINCIPAL_SECRET,
  };
}

interface Claimed {
  id: string;
  userId: string;
  channel: string;
  target: string | null;
  notificationIds: string[];
  digest: boolean;
  attempts: number;
  email: string | null;
}

const CLAIM = `
  UPDATE "NotificationDelivery" AS d
  SET "leaseUntil" = now() + ($1::int * interval '1 millisecond'), "leaseToken" = $2::uuid
  FROM "User" AS u
  WHERE u."id" = d."userId" AND d."id" IN (
    SELECT "id" FROM "NotificationDelivery"
    WHERE "status" IN ('PENDING', 'FAILED') AND "nextAttemptAt" <= now() AND "channel" = ANY ($4::text[])
      AND ("leaseUntil" IS NULL OR "leaseUntil" < now())
    ORDER BY "nextAttemptAt" LIMIT $3::int
    FOR UPDATE SKIP LOCKED)
  RETURNING d."id"::text AS "id", d."userId"::text AS "userId", d."channel", d."target"::text AS "target",
            d."notificationIds"::text[] AS "notificationIds", d."digest",
            d."attempts", u."email"`;

/** Wakes the worker of each database in this process when the release step adds deliveries. */
const workers = new WeakMap<object, () => void>();
export const wakeDeliveryWorker = (db: object) => workers.get(db)?.();

/**
 * Sends notification mails and web pushes (each channel once it is configured). Each pass claims due rows with
 * FOR UPDATE SKIP LOCKED and a lease, like the webhook worker, so replicas never send one twice at once; every
 * delivery is sent on its own (a slow or failing one holds up no other), and its outcome is recorded under its
 * claim: SENT, or FAILED with the next attempt after a back-off, DEAD after maxAttempts.
 */
export function deliverNotifications(
  { db, log }: ConsumerServices<UsersDb>,
  settings: DeliverySettings = loadDeliverySettings(),
  senders: { EMAIL?: SendMail | null; PUSH?: PushTo | null } = { EMAIL: smtpSender(), PUSH: pushSender(db) },
): () => Promise<void> {
  const logger: Logger = log.child({ component: 'notification-delivery' });
  const channels = Object.entries(senders)
    .filter(([, send]) => send)
    .map(([channel]) => channel);
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let passing = false;
  let again = false;

  const send = async (d: Claimed) => {
    const rows = await db.notification.findMany({ where: { id: { in: d.notificationIds } }, orderBy: { startsAt: 'asc' } });
    const items = rows.map((n) => ({
      title: n.title,
      startsAt: n.startsAt,
      eventId: n.eventId,
      reasons: n.reasons as unknown as Reason[],
    }));
    if (items.length === 0) throw new PermanentFailure('its notifications are gone');
    if (d.channel === 'PUSH') return senders.PUSH!(d.target!, items);
    if (!d.email) throw new PermanentFailure('the user has no email address');
    const token = unsubscribeToken(settings.secret, {
      userId: d.userId,
      channel: 'EMAIL',
      expiresAt: Date.now() + UNSUBSCRIBE_TTL_MS,
    });
    await senders.EMAIL!(notificationMail(d.email, items, `${settings.publicUrl}/unsubscribe?token=${token}`, d.digest));
  };

  const attempt = async (d: Claimed, leaseToken: string) => {
    let error: string | null = null;
    let permanent = false;
    try {
      await send(d);
    } catch (err) {
      error = String((err as Error)?.message ?? err).slice(0, 500);
      permanent = err instanceof PermanentFailure;
    }
    const attempts = d.attempts + 1;
    const next = !error
      ? { status: 'SENT', sentAt: new Date() }
      : permanent || attempts >= settings.maxAttempts
        ? { status: 'DEAD' }
        : { status: 'FAILED', nextAttemptAt: new Date(Date.now() + backoffDelayMs(settings.backoff, attempts)) };
    await db.notificationDelivery
      .updateMany({
        where: { id: d.id, leaseToken },
        data: { ...next, attempts, lastError: error, leaseUntil: null, leaseToken: null },
      })
      .catch((err) => stopped || logger.warn({ err, deliveryId: d.id }, 'could not record a notification delivery'));
    if (error) logger.warn({ deliveryId: d.id, attempts, error }, 'notification delivery failed');
  };

  const pass = async () => {
    if (stopped || channels.length === 0) return;
    if (passing) {
      again = true;
      return;
    }
    passing = true;
    try {
      do {
        again = false;
        const free = settings.concurrency - inFlight.size;
        if (free <= 0) break;
        const leaseToken = randomUUID();
        const claimed = await db.$queryRawUnsafe<Claimed[]>(CLAIM, settings.leaseMs, leaseToken, free, channels);
        for (const d of claimed) {
          const running = attempt(d, leaseToken).finally(() => {
            inFlight.delete(running);
            void pass();
          });
          inFlight.add(running);
        }
      } while (again && !stopped);
    } catch (err) {
      if (!stopped) logger.warn({ err }, 'notification delivery pass failed');
    } finally {
      passing = false;
    }
  };

  workers.set(db, () => void pass());
  timer = setInterval(() => void pass(), settings.pollIntervalMs);
  timer.unref?.();
  void pass();
  return async () => {
    stopped = true;
    clearInterval(timer);
    timer = undefined;
    workers.delete(db);
    await Promise.allSettled([...inFlight]);
  };
}
