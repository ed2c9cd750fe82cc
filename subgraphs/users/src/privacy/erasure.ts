import { randomUUID } from 'node:crypto';
import { DomainError, USER_DELETED_TOPIC, type Announce, type ErasureCounts } from '@eventgraph/runtime';
import type { UsersTx } from '../context';
import { organisationsNeedingHandover } from '../domain/privacy';
import { PARTNER_GRANT_CHANGED } from '../schema/partner-grant';
import { countsOf } from '../schema/rsvp';

/**
 * Erases an account in the users subgraph, in the caller's transaction, and announces `user.deleted` for the
 * other subgraphs. Refused (LAST_OWNER, nothing changed) while the user is the last owner of an organisation.
 * Returns the receipt's id.
 */
export async function eraseAccount(tx: UsersTx, announce: Announce, user: { id: string; email: string }): Promise<string> {
  const userId = user.id;
  const memberships = await tx.membership.findMany({ where: { userId }, select: { organizationId: true, role: true } });
  const owned = memberships.filter((m) => m.role === 'OWNER').map((m) => m.organizationId);
  const owners = await tx.membership.groupBy({
    by: ['organizationId'],
    where: { organizationId: { in: owned }, role: 'OWNER' },
    _count: { _all: true },
  });
  const handover = organisationsNeedingHandover(memberships, new Map(owners.map((o) => [o.organizationId, o._count._all])));
  if (handover.length > 0)
    throw new DomainError('LAST_OWNER', 'hand your organisations over (transferOwnership) before deleting your account', {
      organizationIds: handover,
    });

  const erased: ErasureCounts = {};
  // RSVPs go with their counts re-announced, so events' popularity forgets them too
  const rsvps = await tx.rsvp.findMany({ where: { userId }, select: { eventId: true } });
  erased.rsvps = (await tx.rsvp.deleteMany({ where: { userId } })).count;
  for (const { eventId } of rsvps) {
    const known = await tx.knownEvent.findUnique({ where: { eventId }, select: { organizationId: true } });
    await announce('rsvp.changed', {
      eventId,
      organizationId: known?.organizationId ?? null,
      userId,
      status: 'NOT_GOING',
      ...(await countsOf(tx, eventId)),
    });
  }
  erased.follows = (
    await tx.follow.deleteMany({ where: { OR: [{ followerId: userId }, { targetType: 'USER', targetId: userId }] } })
  ).count;
  erased.pendingSignUps = (await tx.pendingSignUp.deleteMany({ where: { email: user.email } })).count;
  await tx.invitation.updateMany({ where: { invitedById: userId }, data: { invitedById: null } });
  erased.notifications = (await tx.notification.deleteMany({ where: { userId } })).count;
  erased.notificationDeliveries = (await tx.notificationDelivery.deleteMany({ where: { userId } })).count;
  erased.pushSubscriptions = (await tx.pushSubscription.deleteMany({ where: { userId } })).count;
  erased.notificationPreferences = (await tx.notificationPreference.deleteMany({ where: { userId } })).count;
  // consent to partner apps goes too; gateways forget the cached grants at once
  const grants = await tx.partnerGrant.findMany({ where: { userId }, select: { partnerAppId: true } });
  erased.partnerGrants = (await tx.partnerGrant.deleteMany({ where: { userId } })).count;
  for (const { partnerAppId } of grants) await announce(PARTNER_GRANT_CHANGED, { userId, partnerAppId });
  erased.memberships = memberships.length;
  erased.sessions = await tx.refreshToken.count({ where: { userId } });
  // the row goes with its memberships, refresh tokens and known log-in clients (cascades); the gateway refuses its
  // access tokens and ends its subscriptions on session.revoked, and no longer finds the caller afterwards
  await tx.user.delete({ where: { id: userId } });
  erased.accounts = 1;
  await announce('session.revoked', { userId, reason: 'ACCOUNT_DELETED' });

  const receiptId = randomUUID();
  await tx.erasureReceipt.create({
    data: { id: receiptId, userId, confirmations: { create: { subgraph: 'users', erased } } },
  });
  await announce(USER_DELETED_TOPIC, { userId, receiptId, email: user.email });
  return receiptId;
}
