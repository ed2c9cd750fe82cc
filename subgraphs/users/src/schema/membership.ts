import { randomUUID } from 'node:crypto';
import {
  can,
  DomainError,
  ErrorCode,
  isPlatformService,
  notFound,
  parseId,
  requireAuthenticated,
  requirePermission,
  roleIn,
  ROLES,
  type Role,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext, UsersTx } from '../context';
import { normaliseEmail } from '../domain/email';
import {
  canTransferOwnership,
  checkInvitation,
  checkRemoval,
  checkRoleChange,
  INVITATION_DAYS,
  invitationState,
  type MembershipProblem,
} from '../domain/memberships';
import type { Invitation, Membership } from '../generated/prisma/client';
import { newSecret, sameHash, sha256, splitToken } from '../security/secrets';
import { OrganizationRef } from './organization';
import { UserRef } from './user';

export const RoleEnum = builder.enumType('Role', { description: 'owner > admin > manager > member > viewer', values: ROLES });

export const MembershipRef = builder.objectRef<Membership>('Membership');

builder.asEntity(MembershipRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const membership = await ctx.loaders.membership.load(id);
    return membership && can(ctx.principal, 'organization.read', membership.organizationId) ? membership : null;
  },
});

MembershipRef.implement({
  description: "A user's role in an organisation.",
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    user: t.field({ type: UserRef, resolve: async (m, _args, ctx) => (await ctx.loaders.user.load(m.userId))! }),
    organization: t.field({
      type: OrganizationRef,
      resolve: async (m, _args, ctx) => (await ctx.loaders.organization.load(m.organizationId))!,
    }),
  }),
});

export const InvitationStateEnum = builder.enumType('InvitationState', {
  values: ['PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED'] as const,
});

export const InvitationRef = builder.objectRef<Invitation>('Invitation').implement({
  description: 'An offer of a role in an organisation to whoever holds the email.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    role: t.field({ type: RoleEnum, resolve: (i) => i.role }),
    state: t.field({ type: InvitationStateEnum, resolve: (i) => invitationState(i, new Date()) }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    organization: t.field({
      type: OrganizationRef,
      resolve: async (i, _args, ctx) => (await ctx.loaders.organization.load(i.organizationId))!,
    }),
  }),
});

interface InvitationTicket {
  invitation: Invitation;
  token: string;
}

const InvitationTicketRef = builder.objectRef<InvitationTicket>('InvitationTicket').implement({
  description: 'A new invitation and its token: shown once, send it to the invitee.',
  fields: (t) => ({
    invitation: t.field({ type: InvitationRef, resolve: (x) => x.invitation }),
    token: t.exposeString('token'),
  }),
});

function refuse(problem: MembershipProblem): void {
  if (problem) throw new DomainError(problem.code === 'FORBIDDEN' ? ErrorCode.FORBIDDEN : problem.code, problem.message);
}

/** The caller's role in the organisation; platform services act as owners. */
function actorRole(ctx: UsersContext, organizationId: string): Role | null {
  return isPlatformService(ctx.principal)
    ? 'OWNER'
    : ctx.principal.kind === 'user'
      ? roleIn(ctx.principal, organizationId)
      : null;
}

const ownerCount = (tx: UsersTx, organizationId: string) => tx.membership.count({ where: { organizationId, role: 'OWNER' } });

/** Locks the organisation's row so concurrent membership changes cannot both remove the last owner. */
const lockOrganization = (tx: UsersTx, organizationId: string) =>
  tx.$queryRawUnsafe('SELECT 1 FROM "Organization" WHERE "id" = $1::uuid FOR UPDATE', organizationId);

async function findInvitation(ctx: UsersContext, token: string): Promise<Invitation> {
  const parts = splitToken(token);
  const invitation = parts ? await ctx.db.invitation.findUnique({ where: { id: parts.id } }) : null;
  if (!invitation || !sameHash(invitation.secretHash, sha256(parts!.secret)))
    throw new DomainError(ErrorCode.NOT_FOUND, 'this invitation does not exist');
  const state = invitationState(invitation, new Date());
  if (state === 'EXPIRED') throw new DomainError('INVITATION_EXPIRED', 'this invitation has expired; ask for a new one');
  if (state !== 'PENDING') throw new DomainError('INVITATION_CLOSED', `this invitation was already ${state.toLowerCase()}`);
  return invitation;
}

builder.mutationFields((t) => ({
  addMember: t.field({
    type: MembershipRef,
    description: 'Platform services only (seeding, migrations): people join through invitations.',
    args: {
      organizationId: t.arg.id({ required: true }),
      userId: t.arg.id({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: async (_root, args, ctx) => {
      if (!isPlatformService(ctx.principal)) throw new DomainError(ErrorCode.FORBIDDEN, 'invite members with inviteMember');
      const organizationId = parseId('organizationId', args.organizationId);
      const userId = parseId('userId', args.userId);
      if (!(await ctx.loaders.organization.load(organizationId))) throw notFound('Organization', organizationId);
      if (!(await ctx.loaders.user.load(userId))) throw notFound('User', userId);
      return ctx.transact(async (tx, announce) => {
        const membership = await tx.membership.create({ data: { organizationId, userId, role: args.role } });
        await announce('membership.changed', { organizationId, userId, role: args.role });
        return membership;
      });
    },
  }),

  inviteMember: t.field({
    type: InvitationTicketRef,
    args: {
      organizationId: t.arg.id({ required: true }),
      email: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'members.manage', organizationId);
      refuse(checkInvitation(actorRole(ctx, organizationId)!, args.role));
      const email = normaliseEmail(args.email);
      if (!email) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'email: is not a valid email address', { field: 'email' });
      const secret = newSecret();
      const invitation = await ctx.transact(async (tx, announce) => {
        const created = await tx.invitation.create({
          data: {
            id: randomUUID(),
            organizationId,
            email,
            role: args.role,
            secretHash: sha256(secret),
            invitedById: ctx.principal.kind === 'user' ? ctx.principal.id! : null,
            expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
          },
        });
        await announce('invitation.created', { organizationId, invitationId: created.id, role: args.role });
        return created;
      });
      return { invitation, token: `${invitation.id}.${secret}` };
    },
  }),

  acceptInvitation: t.field({
    type: MembershipRef,
    description: "Joins the organisation; the invitation's email must be the signed-in user's.",
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'sign in as the invited user');
      const invitation = await findInvitation(ctx, args.token);
      const user = (await ctx.loaders.user.load(ctx.principal.id!))!;
      if (user.email !== invitation.email)
        throw new DomainError(ErrorCode.FORBIDDEN, 'this invitation was sent to another email address');
      return ctx.transact(async (tx, announce) => {
        const { count } = await tx.invitation.updateMany({
          where: { id: invitation.id, status: 'PENDING' },
          data: { status: 'ACCEPTED', respondedAt: new Date() },
        });
        if (count !== 1) throw new DomainError('INVITATION_CLOSED', 'this invitation was already answered');
        const membership = await tx.membership.upsert({
          where: { organizationId_userId: { organizationId: invitation.organizationId, userId: user.id } },
          create: { organizationId: invitation.organizationId, userId: user.id, role: invitation.role },
          update: { role: invitation.role },
        });
        await announce('membership.changed', {
          organizationId: invitation.organizationId,
          userId: user.id,
          role: invitation.role,
        });
        return membership;
      });
    },
  }),

  declineInvitation: t.field({
    type: InvitationRef,
    args: { token: t.arg.string({ required: true }) },
    description: "Declines an invitation: the invited user (the invitation's email is theirs) or the organisation's admins.",
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      const invitation = await findInvitation(ctx, args.token);
      if (!can(ctx.principal, 'members.manage', invitation.organizationId)) {
        const user = ctx.principal.kind === 'user' ? await ctx.loaders.user.load(ctx.principal.id!) : null;
        // a leaked token alone must not let a stranger turn the invitee's offer down
        if (user?.email !== invitation.email)
          throw new DomainError(ErrorCode.FORBIDDEN, 'only the invited user or an admin of the organisation can decline');
      }
      const { count } = await ctx.db.invitation.updateMany({
        where: { id: invitation.id, status: 'PENDING' },
        data: { status: 'DECLINED', respondedAt: new Date() },
      });
      if (count !== 1) throw new DomainError('INVITATION_CLOSED', 'this invitation was already answered');
      return (await ctx.db.invitation.findUnique({ where: { id: invitation.id } }))!;
    },
  }),

  revokeInvitation: t.field({
    type: InvitationRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const invitation = await ctx.db.invitation.findUnique({ where: { id } });
      if (!invitation || !can(ctx.principal, 'members.manage', invitation.organizationId)) throw notFound('Invitation', id);
      if (invitation.status !== 'PENDING')
        throw new DomainError('INVITATION_CLOSED', `this invitation was already ${invitation.status.toLowerCase()}`);
      return ctx.db.invitation.update({ where: { id }, data: { status: 'REVOKED', respondedAt: new Date() } });
    },
  }),

  changeMemberRole: t.field({
    type: MembershipRef,
    args: { membershipId: t.arg.id({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('membershipId', args.membershipId);
      const target = await ctx.db.membership.findUnique({ where: { id } });
      if (!target || !can(ctx.principal, 'organization.read', target.organizationId)) throw notFound('Membership', id);
      requirePermission(ctx.principal, 'members.manage', target.organizationId);
      return ctx.transact(async (tx, announce) => {
        await lockOrganization(tx, target.organizationId);
        const current = (await tx.membership.findUnique({ where: { id } }))!;
        refuse(
          checkRoleChange({
            actorRole: actorRole(ctx, target.organizationId)!,
            currentRole: current.role,
            newRole: args.role,
            ownerCount: await ownerCount(tx, target.organizationId),
          }),
        );
        const updated = await tx.membership.update({ where: { id }, data: { role: args.role } });
        await announce('membership.changed', { organizationId: target.organizationId, userId: target.userId, role: args.role });
        return updated;
      });
    },
  }),

  removeMember: t.field({
    type: 'Boolean',
    description: 'Removes a member, or leaves the organisation when it is your own membership. The last owner cannot leave.',
    args: { membershipId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      const id = parseId('membershipId', args.membershipId);
      const target = await ctx.db.membership.findUnique({ where: { id } });
      if (!target || !can(ctx.principal, 'organization.read', target.organizationId)) throw notFound('Membership', id);
      return ctx.transact(async (tx, announce) => {
        await lockOrganization(tx, target.organizationId);
        const isSelf = ctx.principal.kind === 'user' && ctx.principal.id === target.userId;
        refuse(
          checkRemoval({
            actorRole: actorRole(ctx, target.organizationId),
            targetRole: target.role,
            isSelf,
            ownerCount: await ownerCount(tx, target.organizationId),
          }),
        );
        await tx.membership.delete({ where: { id } });
        await announce('membership.changed', { organizationId: target.organizationId, userId: target.userId, role: null });
        return true;
      });
    },
  }),

  transferOwnership: t.field({
    type: OrganizationRef,
    description: 'Makes another member an owner and the caller an admin.',
    args: { organizationId: t.arg.id({ required: true }), toUserId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      const toUserId = parseId('toUserId', args.toUserId);
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user' || !canTransferOwnership(roleIn(ctx.principal, organizationId))) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'only an owner can transfer ownership');
      }
      const fromUserId = ctx.principal.id!;
      return ctx.transact(async (tx, announce) => {
        await lockOrganization(tx, organizationId);
        const recipient = await tx.membership.findUnique({
          where: { organizationId_userId: { organizationId, userId: toUserId } },
        });
        if (!recipient)
          throw new DomainError(ErrorCode.BAD_USER_INPUT, 'toUserId: ownership goes to an existing member', {
            field: 'toUserId',
          });
        await tx.membership.update({ where: { id: recipient.id }, data: { role: 'OWNER' } });
        await tx.membership.update({
          where: { organizationId_userId: { organizationId, userId: fromUserId } },
          data: { role: 'ADMIN' },
        });
        await announce('membership.changed', { organizationId, userId: toUserId, role: 'OWNER' });
        await announce('membership.changed', { organizationId, userId: fromUserId, role: 'ADMIN' });
        return (await tx.organization.findUnique({ where: { id: organizationId } }))!;
      });
    },
  }),
}));
