import { badInput, parseId, requireText } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { User } from '../generated/prisma/client';
import { MembershipRef } from './membership';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const UserRef = builder.objectRef<User>('User');

builder.asEntity(UserRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.user.load(id),
});

UserRef.implement({
  description: 'A person with an Eventgraph account.',
  fields: (t) => ({
    id: t.exposeID('id'),
    displayName: t.exposeString('displayName'),
    /** visible to the user themself and to platform services only */
    email: t.string({
      nullable: true,
      resolve: (user, _args, { principal }) =>
        principal.kind === 'service' || (principal.kind === 'user' && principal.id === user.id) ? user.email : null,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    memberships: t.field({
      type: [MembershipRef],
      resolve: (user, _args, ctx) => ctx.loaders.membershipsOfUser.load(user.id),
    }),
  }),
});

builder.queryFields((t) => ({
  user: t.field({
    type: UserRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.loaders.user.load(parseId('id', id)),
  }),
}));

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    displayName: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserRef,
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const email = input.email.trim().toLowerCase();
      if (!EMAIL.test(email)) throw badInput('email', 'is not a valid email address');
      const displayName = requireText('displayName', input.displayName, 120);
      return ctx.transact(async (tx, announce) => {
        const user = await tx.user.create({ data: { email, displayName } });
        await announce('user.created', { userId: user.id });
        return user;
      });
    },
  }),
}));
