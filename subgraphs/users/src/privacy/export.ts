import { plainRecord } from '@eventgraph/runtime';
import type { UsersDb } from '../context';

/**
 * What users holds about a person, for their data export: the account and preferences, memberships, sessions
 * and known log-in clients (when, never the secrets' hashes), RSVPs, follows, notification preferences,
 * notifications, their deliveries and push subscriptions, and the partner apps allowed to act for them. Nothing about other people: who follows the user is theirs.
 */
export async function usersPartOfExport(db: UsersDb, userId: string): Promise<Record<string, unknown>> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) return {};
  const [memberships, sessions, clients, rsvps, follows, preferences, notifications, deliveries, pushSubscriptions, grants] =
    await Promise.all([
      db.membership.findMany({ where: { userId }, include: { organization: { select: { name: true } } } }),
      db.refreshToken.findMany({
        where: { userId },
        select: { familyId: true, createdAt: true, expiresAt: true, rotatedAt: true, revokedAt: true },
        orderBy: { createdAt: 'asc' },
      }),
      db.knownLoginClient.findMany({ where: { userId }, select: { id: true, createdAt: true, lastUsedAt: true } }),
      db.rsvp.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      db.follow.findMany({ where: { followerId: userId }, orderBy: { createdAt: 'asc' } }),
      db.notificationPreference.findUnique({ where: { userId } }),
      db.notification.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      db.notificationDelivery.findMany({
        where: { userId },
        select: { id: true, channel: true, notificationIds: true, digest: true, status: true, sentAt: true, createdAt: true },
        orderBy: { createdAt: 'asc' },
      }),
      // the browsers notified: where, since when (the keys are the browser's, not the person's)
      db.pushSubscription.findMany({ where: { userId }, select: { id: true, endpoint: true, createdAt: true } }),
      db.partnerGrant.findMany({ where: { userId }, include: { partnerApp: { select: { name: true } } } }),
    ]);
  return {
    account: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      createdAt: user.createdAt,
      passwordChangedAt: user.passwordChangedAt,
      preferences: {
        categories: user.categories,
        keywords: user.keywords,
        maxDistanceKm: user.maxDistanceKm,
        notificationChannels: user.notificationChannels,
      },
    },
    memberships: memberships.map((m) => ({
      organizationId: m.organizationId,
      organizationName: m.organization.name,
      role: m.role,
      createdAt: m.createdAt,
    })),
    sessions,
    knownLoginClients: clients,
    rsvps: rsvps.map(({ userId: _, ...r }) => r),
    follows: follows.map(({ followerId: _, ...f }) => f),
    notificationPreferences: preferences ? plainRecord({ ...preferences, userId: undefined }) : null,
    notifications: notifications.map(({ userId: _, ...n }) => n),
    notificationDeliveries: deliveries,
    pushSubscriptions,
    partnerGrants: grants.map((g) => ({
      partnerAppId: g.partnerAppId,
      partnerAppName: g.partnerApp.name,
      scopes: g.scopes,
      createdAt: g.createdAt,
    })),
  };
}
