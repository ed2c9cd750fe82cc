import {
  DomainError,
  ErrorCode,
  isPlatformService,
  notFound,
  parseId,
  parseSlug,
  requireAuthenticated,
  requireText,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { Organization } from '../generated/prisma/client';

export const OrganizationRef = builder.objectRef<Organization>('Organization');

builder.asEntity(OrganizationRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.organization.load(id),
});

OrganizationRef.implement({
  description: 'A company or collective that runs events; members act for it according to their role. Name and slug are public.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.loaders.organization.load(parseId('id', id)),
  }),
  organizationBySlug: t.field({
    type: OrganizationRef,
    nullable: true,
    args: { slug: t.arg.string({ required: true }) },
    resolve: (_root, { slug }, ctx) => ctx.db.organization.findUnique({ where: { slug } }),
  }),
}));

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true }),
    ownerId: t.id({ description: 'platform services only: the first owner; a signed-in user becomes the owner themself' }),
  }),
});

builder.mutationFields((t) => ({
  createOrganization: t.field({
    type: OrganizationRef,
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      requireAuthenticated(ctx.principal);
      const name = requireText('name', input.name);
      const slug = parseSlug('slug', input.slug);
      let ownerId: string;
      if (ctx.principal.kind === 'user') {
        // a user founds organisations for themself only: making someone else an owner is not theirs to do
        if (input.ownerId && input.ownerId !== ctx.principal.id)
          throw new DomainError(ErrorCode.FORBIDDEN, 'ownerId: leave it out; you become the owner of what you create', {
            field: 'ownerId',
          });
        ownerId = ctx.principal.id!;
      } else if (isPlatformService(ctx.principal) && input.ownerId) ownerId = parseId('ownerId', input.ownerId);
      else throw new DomainError(ErrorCode.FORBIDDEN, 'organisations are created by signed-in users');
      if (!(await ctx.loaders.user.load(ownerId))) throw notFound('User', ownerId);
      return ctx.transact(async (tx, announce) => {
        const organization = await tx.organization.create({
          data: { name, slug, memberships: { create: { userId: ownerId, role: 'OWNER' } } },
        });
        await announce('organization.created', { organizationId: organization.id, ownerId });
        await announce('membership.changed', { organizationId: organization.id, userId: ownerId, role: 'OWNER' });
        return organization;
      });
    },
  }),
}));
