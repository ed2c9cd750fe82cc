import {
  badInput,
  DomainError,
  ErrorCode,
  isPlatformService,
  parseId,
  requireAuthenticated,
  requireText,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import { normaliseEmail } from '../domain/email';
import type { User } from '../generated/prisma/client';
import { MembershipRef } from './membership';

export const UserRef = builder.objectRef<User>('User');

builder.asEntity(UserRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => ctx.loaders.user.load(id),
});

const isSelf = (user: { id: string }, ctx: UsersContext) => ctx.principal.kind === 'user' && ctx.principal.id === user.id;
const selfOrService = (user: { id: string }, ctx: UsersContext) => isSelf(user, ctx) || isPlatformService(ctx.principal);

export const NotificationChannelEnum = builder.enumType('NotificationChannel', { values: ['EMAIL', 'PUSH', 'SMS'] as const });

const PreferencesRef = builder.objectRef<User>('Preferences').implement({
  description: 'What the personalised feed and notifications of a user are built from.',
  fields: (t) => ({
    categories: t.exposeStringList('categories'),
    keywords: t.exposeStringList('keywords'),
    maxDistanceKm: t.exposeInt('maxDistanceKm', { nullable: true }),
    notificationChannels: t.field({ type: [NotificationChannelEnum], resolve: (u) => u.notificationChannels }),
  }),
});

UserRef.implement({
  description: 'A person with an Eventgraph account.',
  fields: (t) => ({
    id: t.exposeID('id'),
    displayName: t.exposeString('displayName'),
    email: t.string({
      nullable: true,
      description: 'visible to the user themself only',
      resolve: (user, _args, ctx) => (selfOrService(user, ctx) ? user.email : null),
    }),
    preferences: t.field({
      type: PreferencesRef,
      nullable: true,
      description: 'visible to the user themself only',
      resolve: (user, _args, ctx) => (selfOrService(user, ctx) ? user : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    memberships: t.field({
      type: [MembershipRef],
      description: 'the organisations this user belongs to, as far as the caller may see them',
      resolve: async (user, _args, ctx) => {
        const memberships = await ctx.loaders.membershipsOfUser.load(user.id);
        if (selfOrService(user, ctx)) return memberships;
        const visible = new Set(ctx.principal.memberships.map((m) => m.organizationId));
        return memberships.filter((m) => visible.has(m.organizationId));
      },
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user; null for other callers.',
    resolve: (_root, _args, ctx) => (ctx.principal.kind === 'user' ? ctx.loaders.user.load(ctx.principal.id!) : null),
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.loaders.user.load(parseId('id', id)),
  }),
}));

function currentUserId(ctx: UsersContext): string {
  requireAuthenticated(ctx.principal);
  if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user has a profile');
  return ctx.principal.id!;
}

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    displayName: t.string({ required: true }),
  }),
});

const UpdatePreferencesInput = builder.inputType('UpdatePreferencesInput', {
  fields: (t) => ({
    categories: t.stringList(),
    keywords: t.stringList(),
    maxDistanceKm: t.int(),
    notificationChannels: t.field({ type: [NotificationChannelEnum] }),
  }),
});

const cleanList = (field: string, values: string[], max = 50) => {
  if (values.length > max) throw badInput(field, `at most ${max} entries`);
  return [...new Set(values.map((v, i) => requireText(`${field}[${i}]`, v, 60).toLowerCase()))];
};

builder.mutationFields((t) => ({
  createUser: t.field({
    type: UserRef,
    description: 'Platform services only: an account without a password (people use signUp).',
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if (!isPlatformService(ctx.principal)) throw new DomainError(ErrorCode.FORBIDDEN, 'use signUp to create an account');
      const email = normaliseEmail(input.email);
      if (!email) throw badInput('email', 'is not a valid email address');
      const displayName = requireText('displayName', input.displayName, 120);
      return ctx.transact(async (tx, announce) => {
        const user = await tx.user.create({ data: { email, displayName } });
        await announce('user.created', { userId: user.id });
        return user;
      });
    },
  }),
  updateProfile: t.field({
    type: UserRef,
    args: { displayName: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      ctx.db.user.update({
        where: { id: currentUserId(ctx) },
        data: { displayName: requireText('displayName', args.displayName, 120) },
      }),
  }),
  updatePreferences: t.field({
    type: UserRef,
    args: { input: t.arg({ type: UpdatePreferencesInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const id = currentUserId(ctx);
      if (input.maxDistanceKm != null && (input.maxDistanceKm < 1 || input.maxDistanceKm > 20_000))
        throw badInput('maxDistanceKm', 'must be between 1 and 20000');
      return ctx.db.user.update({
        where: { id },
        data: {
          ...(input.categories ? { categories: cleanList('categories', input.categories) } : {}),
          ...(input.keywords ? { keywords: cleanList('keywords', input.keywords) } : {}),
          ...(input.maxDistanceKm !== undefined ? { maxDistanceKm: input.maxDistanceKm } : {}),
          ...(input.notificationChannels ? { notificationChannels: [...new Set(input.notificationChannels)] } : {}),
        },
      });
    },
  }),
}));
