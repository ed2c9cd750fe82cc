import type { UsersTx } from '../context';

/**
 * What the released rows are sent as beyond the app: one EMAIL delivery per user who asked for email (a single
 * notification, or a digest of several released together, e.g. after quiet hours, or the daily digest of those
 * over the cap), and one PUSH delivery per browser of a user who asked for push. Those over the day's cap are not
 * sent on their own (see digest.ts).
 */
export async function queueDeliveries(
  tx: UsersTx,
  sent: { id: string; userId: string }[],
  { daily = false }: { daily?: boolean } = {},
): Promise<number> {
  if (sent.length === 0) return 0;
  const userIds = [...new Set(sent.map((n) => n.userId))];
  const prefs = await tx.notificationPreference.findMany({
    where: { userId: { in: userIds }, channels: { hasSome: ['EMAIL', 'PUSH'] } },
    select: { userId: true, channels: true },
  });
  const pushing = prefs.filter((p) => p.channels.includes('PUSH')).map((p) => p.userId);
  const browsers = pushing.length
    ? await tx.pushSubscription.findMany({ where: { userId: { in: pushing } }, select: { id: true, userId: true } })
    : [];
  const data = prefs.flatMap(({ userId, channels }) => {
    const notificationIds = sent.filter((n) => n.userId === userId).map((n) => n.id);
    const digest = daily || notificationIds.length > 1;
    return [
      ...(channels.includes('EMAIL') ? [{ userId, channel: 'EMAIL', notificationIds, digest }] : []),
      ...(channels.includes('PUSH')
        ? browsers
            .filter((b) => b.userId === userId)
            .map((b) => ({ userId, channel: 'PUSH', target: b.id, notificationIds, digest }))
        : []),
    ];
  });
  if (data.length) await tx.notificationDelivery.createMany({ data });
  return data.length;
}
