import { isAtLeast, type Role } from '@eventgraph/runtime';
import { canAssignRole } from './roles';

/** Why a change of membership is refused; null when it is allowed. */
export type MembershipProblem = { code: 'FORBIDDEN' | 'LAST_OWNER'; message: string } | null;

const forbidden = (message: string): MembershipProblem => ({ code: 'FORBIDDEN', message });
const lastOwner: MembershipProblem = {
  code: 'LAST_OWNER',
  message: 'an organisation keeps at least one owner; transfer ownership first',
};

/** Changing someone's role: the actor must be able to give both the old and the new role. */
export function checkRoleChange(p: { actorRole: Role; currentRole: Role; newRole: Role; ownerCount: number }): MembershipProblem {
  if (!canAssignRole(p.actorRole, p.newRole))
    return forbidden(`a ${p.actorRole.toLowerCase()} cannot give the ${p.newRole.toLowerCase()} role`);
  if (!canAssignRole(p.actorRole, p.currentRole))
    return forbidden(`a ${p.actorRole.toLowerCase()} cannot change a ${p.currentRole.toLowerCase()}`);
  if (p.currentRole === 'OWNER' && p.newRole !== 'OWNER' && p.ownerCount <= 1) return lastOwner;
  return null;
}

/** Removing a member, or leaving: anyone may leave; removing others follows the role rules. */
export function checkRemoval(p: {
  actorRole: Role | null;
  targetRole: Role;
  isSelf: boolean;
  ownerCount: number;
}): MembershipProblem {
  if (p.targetRole === 'OWNER' && p.ownerCount <= 1) return lastOwner;
  if (p.isSelf) return null;
  if (!p.actorRole || !canAssignRole(p.actorRole, p.targetRole)) return forbidden('you cannot remove this member');
  return null;
}

/** Inviting: only roles the inviter could give directly. */
export function checkInvitation(actorRole: Role, role: Role): MembershipProblem {
  return canAssignRole(actorRole, role) ? null : forbidden(`a ${actorRole.toLowerCase()} cannot invite a ${role.toLowerCase()}`);
}

export const INVITATION_DAYS = 7;

export type InvitationState = 'PENDING' | 'ACCEPTED' | 'DECLINED' | 'REVOKED' | 'EXPIRED';

export function invitationState(invitation: { status: string; expiresAt: Date }, now: Date): InvitationState {
  if (invitation.status === 'PENDING' && invitation.expiresAt <= now) return 'EXPIRED';
  return invitation.status as InvitationState;
}

export const canTransferOwnership = (actorRole: Role | null) => actorRole !== null && isAtLeast(actorRole, 'OWNER');
