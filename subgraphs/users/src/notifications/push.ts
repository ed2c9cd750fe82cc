import webpush from 'web-push';
import type { UsersDb } from '../context';
import type { MailedNotification } from './mail';

/** A failure retrying cannot mend (the push service says the subscription is gone): the delivery is DEAD at once. */
export class PermanentFailure extends Error {}

export type PushTo = (subscriptionId: string, items: MailedNotification[]) => Promise<void>;

/**
 * Web Push with VAPID (web-push: RFC 8291 aes128gcm encryption, RFC 8292 VAPID JWT), from
 * NOTIFICATION_VAPID_PUBLIC_KEY, NOTIFICATION_VAPID_PRIVATE_KEY and NOTIFICATION_VAPID_SUBJECT (a mailto: or
 * https: contact); null without keys (push deliveries then wait). A subscription the push service says is gone
 * (404, 410) is removed.
 */
export function pushSender(db: UsersDb, env: Record<string, string | undefined> = process.env): PushTo | null {
  const publicKey = env.NOTIFICATION_VAPID_PUBLIC_KEY;
  const privateKey = env.NOTIFICATION_VAPID_PRIVATE_KEY;
  if (!publicKey || !privateKey) return null;
  const vapidDetails = {
    subject: env.NOTIFICATION_VAPID_SUBJECT ?? 'mailto:notifications@eventgraph.invalid',
    publicKey,
    privateKey,
  };
  return async (subscriptionId, items) => {
    const subscription = await db.pushSubscription.findUnique({ where: { id: subscriptionId } });
    if (!subscription) throw new PermanentFailure('the push subscription was removed');
    const payload = JSON.stringify({
      title: items.length > 1 ? `${items.length} events you may like` : items[0]!.title,
      events: items.map((n) => ({ id: n.eventId, title: n.title, startsAt: n.startsAt.toISOString(), reasons: n.reasons })),
    });
    // web-push encrypts (aes128gcm) and signs (VAPID); the request goes out through fetch, with a time limit
    const request = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      { vapidDetails, TTL: 24 * 3600 },
    );
    const response = await fetch(request.endpoint, {
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: request.body as Buffer,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 404 || response.status === 410) {
      await db.pushSubscription.deleteMany({ where: { id: subscriptionId } });
      throw new PermanentFailure(`the push service says the subscription is gone (${response.status})`);
    }
    if (!response.ok) throw new Error(`the push service answered ${response.status}`);
  };
}
