import { DomainError, ErrorCode, parsePageSize, readableOrganizations, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import { rankFeed } from '../domain/feed';
import type { Prisma } from '../generated/prisma/client';
import { EventRef } from './rsvp';

/** How many upcoming candidates are ranked per request; the feed is the best `first` of them. */
const CANDIDATES = 1000;

builder.queryFields((t) => ({
  myFeed: t.field({
    type: [EventRef],
    description:
      'Upcoming events for the signed-in user, ranked by the organisations and venues they follow and the categories and keywords of their preferences.',
    args: { first: t.arg.int({ defaultValue: 20 }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users have a feed');
      const first = parsePageSize('first', args.first, 20, 100);
      const userId = ctx.principal.id!;
      const [user, follows] = await Promise.all([
        ctx.loaders.user.load(userId),
        ctx.db.follow.findMany({ where: { followerId: userId } }),
      ]);
      const interests = {
        organizationIds: new Set(follows.filter((f) => f.targetType === 'ORGANIZATION').map((f) => f.targetId)),
        venueIds: new Set(follows.filter((f) => f.targetType === 'VENUE').map((f) => f.targetId)),
        categories: user?.categories ?? [],
        keywords: user?.keywords ?? [],
      };
      // what the user may see: published public events, and everything of their own organisations
      const readable = readableOrganizations(ctx.principal);
      const visible: Prisma.KnownEventWhereInput[] = [
        { status: { in: ['PUBLISHED', 'ON_SALE', 'PAUSED'] }, visibility: 'PUBLIC' },
      ];
      if (readable !== 'all' && readable.length) visible.push({ organizationId: { in: readable }, status: { not: 'ARCHIVED' } });
      const candidates = await ctx.db.knownEvent.findMany({
        where: { startsAt: { gte: new Date() }, OR: visible },
        orderBy: { startsAt: 'asc' },
        take: CANDIDATES,
      });
      const ranked = rankFeed(
        candidates.map((c) => ({ ...c, startsAt: c.startsAt! })),
        interests,
        first,
      );
      return ranked.map((e) => ({ id: e.eventId }));
    },
  }),
}));
