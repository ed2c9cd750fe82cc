import { DomainError, ErrorCode, parsePageSize, readableOrganizations, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import { OPEN_STATUSES } from '../domain/rsvp';
import { rankFeed, withoutReplaced } from '../domain/feed';
import { friendsOf } from './follow';
import type { Prisma } from '../generated/prisma/client';
import { EventRef } from './rsvp';

/** How many upcoming candidates are ranked per request; the feed is the best `first` of them. */
const CANDIDATES = 1000;

builder.queryFields((t) => ({
  myFeed: t.field({
    type: [EventRef],
    description:
      "Upcoming events for the signed-in user: their own events, then by the people, organisations and venues they follow and the categories and keywords of their preferences. An event one of the user's own events stands for is left out (their own event shows instead).",
    args: { first: t.arg.int({ defaultValue: 20 }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users have a feed');
      const first = parsePageSize('first', args.first, 20, 100);
      const userId = ctx.principal.id!;
      const [user, follows, friends, own] = await Promise.all([
        ctx.loaders.user.load(userId),
        ctx.db.follow.findMany({ where: { followerId: userId } }),
        friendsOf(ctx.db, userId),
        ctx.db.knownEvent.findMany({ where: { ownerUserId: userId, status: { not: 'ARCHIVED' } }, select: { replaces: true } }),
      ]);
      const interests = {
        userId,
        userIds: new Set(follows.filter((f) => f.targetType === 'USER').map((f) => f.targetId)),
        organizationIds: new Set(follows.filter((f) => f.targetType === 'ORGANIZATION').map((f) => f.targetId)),
        venueIds: new Set(follows.filter((f) => f.targetType === 'VENUE').map((f) => f.targetId)),
        categories: user?.categories ?? [],
        keywords: user?.keywords ?? [],
      };
      // what the user may see: published public events, everything of their own organisations, their own
      // events, and their friends' published FRIENDS events (the same rule as the events subgraph's visibility)
      const readable = readableOrganizations(ctx.principal);
      const visible: Prisma.KnownEventWhereInput[] = [
        { status: { in: OPEN_STATUSES }, visibility: 'PUBLIC' },
        { ownerUserId: userId, status: { not: 'ARCHIVED' } },
      ];
      if (readable !== 'all' && readable.length) visible.push({ organizationId: { in: readable }, status: { not: 'ARCHIVED' } });
      if (friends.size) visible.push({ ownerUserId: { in: [...friends] }, visibility: 'FRIENDS', status: { in: OPEN_STATUSES } });
      const candidates = await ctx.db.knownEvent.findMany({
        where: { startsAt: { gte: new Date() }, OR: visible },
        orderBy: { startsAt: 'asc' },
        take: CANDIDATES,
      });
      const replaced = new Set(own.flatMap((o) => o.replaces));
      const ranked = rankFeed(
        withoutReplaced(candidates, replaced).map((c) => ({ ...c, startsAt: c.startsAt! })),
        interests,
        first,
      );
      return ranked.map((e) => ({ id: e.eventId }));
    },
  }),
}));
