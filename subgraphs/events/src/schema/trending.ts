// Trending events (a ranking of the top `first`, not a list to page through) and the view and share counters behind it.
import { notFound, pageSize, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { HAPPENING_STATUSES } from '../domain/event-lifecycle';
import { checkNear, TRENDING_DAYS, TRENDING_WEIGHTS } from '../domain/search';
import { Prisma, type Event } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { anyOf, distanceSql, nearSql, notReplacedSql, whiteLabelSql } from '../search-sql';
import { canSeeEvent } from '../visibility';
import { EventRef } from './event';
import { eventsById, NearInput } from './search';

const { sql, empty } = Prisma;

const TrendingRef = builder.objectRef<{ node: Event; score: number; distanceKm: number | null }>('TrendingEvent').implement({
  fields: (t) => ({
    node: t.field({ type: EventRef, resolve: (e) => e.node }),
    score: t.float({ resolve: (e) => e.score }),
    distanceKm: t.float({ nullable: true, resolve: (e) => e.distanceKm }),
  }),
});

builder.queryFields((t) => ({
  trendingEvents: t.field({
    type: [TrendingRef],
    description: `Public events starting within the next ${TRENDING_DAYS} days, by views (×${TRENDING_WEIGHTS.view}) and shares (×${TRENDING_WEIGHTS.share}) of the last ${TRENDING_DAYS} days plus going (×${TRENDING_WEIGHTS.going}) and interested (×${TRENDING_WEIGHTS.interested}) RSVPs.`,
    args: { first: t.arg.int({ defaultValue: 10 }), near: t.arg({ type: NearInput }) },
    listSize: { slicingArguments: ['first'], requireOneSlicingArgument: false },
    resolve: async (_root, args, ctx) => {
      const first = pageSize(args.first);
      const near = args.near ? checkNear(args.near) : null;
      const now = new Date();
      const until = new Date(now.getTime() + TRENDING_DAYS * 86_400_000);
      const since = new Date(now.getTime() - TRENDING_DAYS * 86_400_000);
      const rows = await ctx.db.$queryRaw<{ id: string; score: number; distanceKm: number | null }[]>(sql`
        SELECT e."id", (coalesce(st."views", 0) * ${TRENDING_WEIGHTS.view} + coalesce(st."shares", 0) * ${TRENDING_WEIGHTS.share}
                 + e."goingCount" * ${TRENDING_WEIGHTS.going} + e."interestedCount" * ${TRENDING_WEIGHTS.interested})::float8 AS "score",
               ${near ? distanceSql(near) : sql`NULL::float8`} AS "distanceKm"
        FROM "Event" e
        LEFT JOIN LATERAL (
          SELECT sum(d."views") AS "views", sum(d."shares") AS "shares" FROM "EventDailyStat" d
          WHERE d."eventId" = e."id" AND d."day" >= ${since}::timestamptz::date
        ) st ON TRUE
        WHERE ${whiteLabelSql(ctx.principal)} AND ${notReplacedSql(ctx.principal)}
          AND ${anyOf(sql`e."status"`, HAPPENING_STATUSES, '"EventStatus"')} AND e."visibility" = 'PUBLIC'
          AND e."startsAt" >= ${now}::timestamptz AND e."startsAt" < ${until}::timestamptz
          ${near ? sql`AND ${nearSql(near)}` : empty}
        ORDER BY "score" DESC, e."startsAt" ASC, e."id" ASC
        LIMIT ${first}`);
      const events = await eventsById(
        ctx,
        rows.map((r) => r.id),
      );
      return rows
        .filter((r) => events.has(r.id))
        .map((r) => ({ node: events.get(r.id)!, score: Number(r.score), distanceKm: r.distanceKm }));
    },
  }),
}));

/** Counts a view or share of an event the caller can see (no sign-in needed for public events), per UTC day. */
async function record(ctx: EventsContext, rawId: string, what: 'view' | 'share'): Promise<boolean> {
  const id = parseId('id', rawId);
  const event = await ctx.loaders.event.load(id);
  if (!event || !canSeeEvent(ctx.principal, event, { direct: true, friends: await ctx.friends() })) throw notFound('Event', id);
  // one statement: the counter and today's row change together (the trigger recomputes popularity)
  await ctx.db.$executeRaw(
    what === 'view'
      ? sql`WITH e AS (UPDATE "Event" SET "viewCount" = "viewCount" + 1 WHERE "id" = ${id}::uuid RETURNING "id")
            INSERT INTO "EventDailyStat" ("eventId", "day", "views") SELECT "id", (now() AT TIME ZONE 'UTC')::date, 1 FROM e
            ON CONFLICT ("eventId", "day") DO UPDATE SET "views" = "EventDailyStat"."views" + 1`
      : sql`WITH e AS (UPDATE "Event" SET "shareCount" = "shareCount" + 1 WHERE "id" = ${id}::uuid RETURNING "id")
            INSERT INTO "EventDailyStat" ("eventId", "day", "shares") SELECT "id", (now() AT TIME ZONE 'UTC')::date, 1 FROM e
            ON CONFLICT ("eventId", "day") DO UPDATE SET "shares" = "EventDailyStat"."shares" + 1`,
  );
  return true;
}

builder.mutationFields((t) => ({
  recordEventView: t.boolean({
    description: 'Counts one view of an event (for popularity and trending). Open to anonymous callers for public events.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => record(ctx, args.id, 'view'),
  }),
  recordEventShare: t.boolean({
    description: 'Counts one share of an event (for popularity and trending). Open to anonymous callers for public events.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => record(ctx, args.id, 'share'),
  }),
}));
