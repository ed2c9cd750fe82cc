import {
  badInput,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  pageOf,
  pageSize,
  readableOrganizations,
  requireAuthenticated,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { OPEN_STATUSES } from '../domain/rsvp';
import { feedAfter, feedKey, parseFeedKey, scoreFeed, withoutReplaced, type FeedPosition } from '../domain/feed';
import { friendsOf } from './follow';
import type { Prisma } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './rsvp';

/** How many upcoming candidates are ranked per request; the feed pages through the relevant ones among them. */
const CANDIDATES = 1000;

/** The same EventConnection as the events subgraph's lists (shareable): one iterator reads both. */
const EventConnectionRef = connectionType('Event', EventRef, { shareable: true });

/** `after` as a position in the feed (BAD_USER_INPUT for anything else). */
function feedPosition(after: string): FeedPosition {
  const { key, id } = decodeCursor(after, 'text');
  const parsed = parseFeedKey(key);
  if (!parsed) throw badInput('after', 'is not a cursor of this list');
  return { ...parsed, eventId: id };
}

builder.queryFields((t) => ({
  myFeed: t.field({
    type: EventConnectionRef,
    description: `Upcoming events for the signed-in user: their own events, then by the people, organisations and venues they follow and the categories and keywords of their preferences (among the next ${CANDIDATES} events). An event one of the user's own events stands for is left out (their own event shows instead).`,
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users have a feed');
      const first = pageSize(args.first);
      const after = args.after != null ? feedPosition(args.after) : null;
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
      const scored = scoreFeed(
        withoutReplaced(candidates, replaced).map((c) => ({ ...c, startsAt: c.startsAt! })),
        interests,
      );
      const rest = after ? feedAfter(scored, after) : scored;
      const rows = rest.slice(0, first + 1).map((e) => ({ id: e.event.eventId, position: e.position }));
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (e) => encodeCursor(feedKey(e.position), e.position.eventId),
        count: () => scored.length,
      });
    },
  }),
}));
