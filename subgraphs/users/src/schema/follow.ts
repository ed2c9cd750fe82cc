import { DomainError, ErrorCode, parseId, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import type { Follow } from '../generated/prisma/client';

export const FollowTargetEnum = builder.enumType('FollowTarget', { values: ['USER', 'ORGANIZATION', 'VENUE'] as const });

export const FollowRef = builder.objectRef<Follow>('Follow').implement({
  description: 'Someone or something a user follows; the personalised feed is built from these and the preferences.',
  fields: (t) => ({
    targetType: t.field({ type: FollowTargetEnum, resolve: (f) => f.targetType }),
    targetId: t.exposeID('targetId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

function signedInUser(ctx: UsersContext): string {
  requireAuthenticated(ctx.principal);
  if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users follow');
  return ctx.principal.id!;
}

builder.queryFields((t) => ({
  myFollows: t.field({
    type: [FollowRef],
    resolve: (_root, _args, ctx) =>
      ctx.db.follow.findMany({ where: { followerId: signedInUser(ctx) }, orderBy: { createdAt: 'asc' }, take: 1000 }),
  }),
}));

builder.mutationFields((t) => ({
  follow: t.field({
    type: FollowRef,
    args: { targetType: t.arg({ type: FollowTargetEnum, required: true }), targetId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const followerId = signedInUser(ctx);
      const targetId = parseId('targetId', args.targetId);
      if (args.targetType === 'USER' && targetId === followerId)
        throw new DomainError(ErrorCode.BAD_USER_INPUT, 'targetId: you cannot follow yourself', { field: 'targetId' });
      if (args.targetType === 'USER' && !(await ctx.loaders.user.load(targetId)))
        throw new DomainError(ErrorCode.NOT_FOUND, `User ${targetId} was not found`);
      if (args.targetType === 'ORGANIZATION' && !(await ctx.loaders.organization.load(targetId)))
        throw new DomainError(ErrorCode.NOT_FOUND, `Organization ${targetId} was not found`);
      const key = { followerId_targetType_targetId: { followerId, targetType: args.targetType, targetId } };
      return ctx.db.follow.upsert({ where: key, create: { followerId, targetType: args.targetType, targetId }, update: {} });
    },
  }),
  unfollow: t.field({
    type: 'Boolean',
    args: { targetType: t.arg({ type: FollowTargetEnum, required: true }), targetId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const followerId = signedInUser(ctx);
      const { count } = await ctx.db.follow.deleteMany({
        where: { followerId, targetType: args.targetType, targetId: parseId('targetId', args.targetId) },
      });
      return count > 0;
    },
  }),
}));
