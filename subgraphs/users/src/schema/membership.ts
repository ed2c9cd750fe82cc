import { DomainError, ErrorCode, notFound, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { ROLES, type Role } from '../domain/roles';
import type { Membership } from '../generated/prisma/client';
import { OrganizationRef } from './organization';
import { UserRef } from './user';

export const RoleEnum = builder.enumType('Role', {
  description: 'owner > admin > manager > member > viewer',
  values: ROLES,
});

export const MembershipRef = builder.objectRef<Membership>('Membership');

builder.asEntity(MembershipRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.membership.load(id),
});

MembershipRef.implement({
  description: "A user's role in an organisation.",
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: RoleEnum, resolve: (m) => m.role as Role }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    user: t.field({
      type: UserRef,
      resolve: async (m, _args, ctx) => (await ctx.loaders.user.load(m.userId))!,
    }),
    organization: t.field({
      type: OrganizationRef,
      resolve: async (m, _args, ctx) => (await ctx.loaders.organization.load(m.organizationId))!,
    }),
  }),
});

const AddMemberInput = builder.inputType('AddMemberInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    userId: t.id({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

builder.mutationFields((t) => ({
  addMember: t.field({
    type: MembershipRef,
    args: { input: t.arg({ type: AddMemberInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = parseId('organizationId', input.organizationId);
      const userId = parseId('userId', input.userId);
      const [organization, user] = await Promise.all([ctx.loaders.organization.load(organizationId), ctx.loaders.user.load(userId)]);
      if (!organization) throw notFound('Organization', organizationId);
      if (!user) throw notFound('User', userId);
      const existing = await ctx.db.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } } });
      if (existing) throw new DomainError(ErrorCode.CONFLICT, `user ${userId} is already a member of organization ${organizationId}`);
      return ctx.transact(async (tx, announce) => {
        const membership = await tx.membership.create({ data: { organizationId, userId, role: input.role } });
        await announce('membership.added', { organizationId, userId, role: input.role });
        return membership;
      });
    },
  }),
}));
