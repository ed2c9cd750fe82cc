import {
  afterWhere,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  pageOf,
  pageSize,
  parseId,
  requireAuthenticated,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext, UsersDb } from '../context';
import type { Follow } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';

export const FollowTargetEnum = builder.enumType('FollowTarget', { values: ['USER', 'ORGANIZATION', 'VENUE'] as const });

export const FollowRef = builder.objectRef<Follow>('Follow').implement({
  description: 'Someone or something a user follows; the personalised feed is built from these and the preferences.',
  fields: (t) => ({
    targetType: t.field({ type: FollowTargetEnum, resolve: (f) => f.targetType }),
    targetId: t.exposeID('targetId'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const FollowConnectionRef = connectionType('Follow', FollowRef);

/** Friends are mutual follows: the people `userId` follows who follow `userId` back. */
export async function friendsOf(db: UsersDb, userId: string): Promise<Set<string>> {
  const following = await db.follow.findMany({ where: { followerId: userId, targetType: 'USER' }, select: { targetId: true } });
  if (following.length === 0) return new Set();
  const back = await db.follow.findMany({
    where: { targetType: 'USER', targetId: userId, followerId: { in: following.map((f) => f.targetId) } },
    select: { followerId: true },
  });
  return new Set(back.map((f) => f.followerId));
}

/**
 * The order of a pair's follow changes, from the database clock (µs) read after the change locked the
 * pair's row: a later change of the same pair always has a higher version, so a projection can ignore a
 * late, older announcement (a redelivery after a failure may arrive after a newer one).
 */
async function changeVersion(tx: Pick<UsersDb, '$queryRawUnsafe'>): Promise<number> {
  const [row] = await tx.$queryRawUnsafe<{ version: number }[]>(
    `SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::float8 AS "version"`,
  );
  return row!.version;
}

function signedInUser(ctx: UsersContext): string {
  requireAuthenticated(ctx.principal);
  if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users follow');
  return ctx.principal.id!;
}

builder.queryFields((t) => ({
  myFollows: t.field({
    type: FollowConnectionRef,
    description: 'whom and what the signed-in user follows, oldest first',
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const followerId = signedInUser(ctx);
      const first = pageSize(args.first);
      // (createdAt, targetId) orders one follower's follows: target ids are random UUIDs, so two follows of one
      // follower never share one (a user and an organisation with the same id would be a UUID collision)
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const where = { followerId };
      const rows = await ctx.db.follow.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after, 'asc', 'targetId')] } : where,
        orderBy: [{ createdAt: 'asc' }, { targetId: 'asc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (f) => encodeCursor(f.createdAt, f.targetId),
        count: () => ctx.db.follow.count({ where }),
      });
    },
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
      return ctx.transact(async (tx, announce) => {
        const follow = await tx.follow.upsert({
          where: key,
          create: { followerId, targetType: args.targetType, targetId },
          update: {},
        });
        // the new state, not a delta: a redelivered announcement changes nothing (events projects user → user follows: friends)
        const version = await changeVersion(tx);
        await announce('follow.changed', { followerId, targetType: args.targetType, targetId, following: true, version });
        return follow;
      });
    },
  }),
  unfollow: t.field({
    type: 'Boolean',
    args: { targetType: t.arg({ type: FollowTargetEnum, required: true }), targetId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const followerId = signedInUser(ctx);
      const targetId = parseId('targetId', args.targetId);
      return ctx.transact(async (tx, announce) => {
        const { count } = await tx.follow.deleteMany({ where: { followerId, targetType: args.targetType, targetId } });
        if (count > 0) {
          const version = await changeVersion(tx);
          await announce('follow.changed', { followerId, targetType: args.targetType, targetId, following: false, version });
        }
        return count > 0;
      });
    },
  }),
}));
