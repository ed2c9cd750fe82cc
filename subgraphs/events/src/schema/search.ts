import {
  connectionOf,
  decodeCursor,
  encodeCursor,
  notFound,
  pageSize,
  parseId,
  readableOrganizations,
  type Connection,
  type Cursor,
  type Principal,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { HAPPENING_STATUSES, PUBLIC_STATUSES } from '../domain/event-lifecycle';
import {
  boundingBox,
  checkNear,
  checkSearch,
  COSTS,
  cursorKeyKind,
  EARTH_RADIUS_KM,
  SEARCH_SORTS,
  TRENDING_DAYS,
  TRENDING_WEIGHTS,
  type Near,
  type SearchFilter,
  type SearchSort,
} from '../domain/search';
import { Prisma, type Event } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { canSeeEvent, userOf } from '../visibility';
import { connectionOfEdges, pageArgs, pageListSize } from './connection';
import { EventRef, EventStatusEnum } from './event';

const { sql, join, empty, raw } = Prisma;

/** `column = ANY(ARRAY[$1, $2, …]::type[])`, one parameter per value (array parameters do not survive every driver adapter). */
function anyOf(column: Prisma.Sql, values: readonly string[], type: string): Prisma.Sql {
  if (!values.length) return sql`FALSE`;
  return sql`${column} = ANY(ARRAY[${join([...values])}]::${raw(type)}[])`;
}

export const EventSortEnum = builder.enumType('EventSort', {
  description:
    'START: soonest first; DISTANCE: nearest first (needs filter.near); RELEVANCE: best text match first (needs filter.text); POPULARITY: most viewed, shared and RSVPed first',
  values: SEARCH_SORTS,
});
const CostFilterEnum = builder.enumType('CostFilter', {
  description: 'FREE: FREE or DONATION; PAID: PAID or VARIABLE',
  values: COSTS,
});

const NearInput = builder.inputType('NearInput', {
  fields: (t) => ({
    latitude: t.float({ required: true }),
    longitude: t.float({ required: true }),
    radiusKm: t.float({ required: true, description: 'more than 0, at most 20000' }),
  }),
});

export const EventSearchFilter = builder.inputType('EventSearchFilter', {
  fields: (t) => ({
    text: t.string({
      description: 'keywords, web-search syntax ("quoted phrases", -excluded, or): title, categories, tags, description, venue',
    }),
    from: t.field({ type: 'DateTime', description: 'events that end after this instant' }),
    to: t.field({ type: 'DateTime', description: 'events that start before this instant' }),
    fromDate: t.string({ description: 'YYYY-MM-DD: events overlapping this local day or later (in timeZone)' }),
    toDate: t.string({ description: 'YYYY-MM-DD: events overlapping this local day or earlier (in timeZone)' }),
    timeZone: t.string({ description: 'IANA zone of fromDate/toDate; default UTC' }),
    categories: t.stringList({ description: 'any of these' }),
    near: t.field({ type: NearInput }),
    venueId: t.id(),
    organizationId: t.id(),
    cost: t.field({ type: CostFilterEnum }),
    statuses: t.field({
      type: [EventStatusEnum],
      description: 'default: the public ones (PUBLISHED, ON_SALE, PAUSED, CLOSED, CANCELLED); others only for your organisations',
    }),
  }),
});

interface Hit {
  id: string;
  startsAt: Date;
  popularity: number;
  distanceKm: number | null;
  rank: number | null;
}
interface Edge extends Hit {
  node: Event;
  cursor: string;
}
export type SearchConnection = Connection<Edge>;

const EdgeRef = builder.objectRef<Edge>('EventSearchEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: EventRef, resolve: (e) => e.node }),
    distanceKm: t.float({ nullable: true, description: 'great-circle distance from filter.near', resolve: (e) => e.distanceKm }),
    rank: t.float({
      nullable: true,
      description: 'text relevance (ts_rank_cd) when filter.text is given',
      resolve: (e) => e.rank,
    }),
  }),
});

export const ConnectionRef = connectionOfEdges('EventSearch', EdgeRef);

const TrendingRef = builder.objectRef<{ node: Event; score: number; distanceKm: number | null }>('TrendingEvent').implement({
  fields: (t) => ({
    node: t.field({ type: EventRef, resolve: (e) => e.node }),
    score: t.float({ resolve: (e) => e.score }),
    distanceKm: t.float({ nullable: true, resolve: (e) => e.distanceKm }),
  }),
});

/** withinWhiteLabel (../visibility) as SQL over the alias `e`. */
function whiteLabelSql(principal: Principal): Prisma.Sql {
  const grant = principal.whiteLabel;
  if (!grant) return sql`TRUE`;
  const parts = [
    anyOf(sql`e."organizationId"`, grant.organizationIds, 'uuid'),
    anyOf(sql`e."visibility"`, grant.visibilities, '"Visibility"'),
  ];
  if (grant.categories.length) parts.push(sql`e."categories" && ARRAY[${join(grant.categories)}]::text[]`);
  return join(parts, ' AND ');
}

/**
 * visibleEventsWhere (../visibility) as SQL over the alias `e`: lists show PUBLIC published events, the caller's
 * organisations' and own events, and published FRIENDS events of the caller's friends (mutual follows).
 */
export function visibilitySql(principal: Principal): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  parts.push(whiteLabelSql(principal));
  const readable = readableOrganizations(principal);
  if (readable !== 'all') {
    const published = anyOf(sql`e."status"`, PUBLIC_STATUSES, '"EventStatus"');
    const seen = [sql`(${published} AND e."visibility" = 'PUBLIC')`];
    if (readable.length) seen.push(anyOf(sql`e."organizationId"`, readable, 'uuid'));
    const me = userOf(principal);
    if (me) {
      seen.push(sql`e."ownerUserId" = ${me}::uuid`);
      seen.push(sql`(${published} AND e."visibility" = 'FRIENDS' AND e."ownerUserId" IS NOT NULL
        AND EXISTS (SELECT 1 FROM "UserFollow" mine JOIN "UserFollow" theirs
          ON theirs."followerId" = mine."followeeId" AND theirs."followeeId" = mine."followerId"
          WHERE mine."followerId" = ${me}::uuid AND mine."followeeId" = e."ownerUserId"))`);
    }
    parts.push(sql`(${join(seen, ' OR ')})`);
  }
  return parts.length ? join(parts, ' AND ') : sql`TRUE`;
}

/** notReplacedWhere (../visibility) as SQL: a user's own events stand in for the events they replace. */
export function notReplacedSql(principal: Principal): Prisma.Sql {
  const me = userOf(principal);
  if (!me) return sql`TRUE`;
  return sql`NOT EXISTS (SELECT 1 FROM "OwnEventMatch" m WHERE m."ownerUserId" = ${me}::uuid AND m."publicEventId" = e."id")`;
}

const tsQuery = (text: string) => sql`websearch_to_tsquery('english', ${text})`;

/** Haversine distance in km from `near` to the event's (denormalised) venue coordinates. */
const distanceSql = (near: Pick<Near, 'latitude' | 'longitude'>) => sql`(2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
  power(sin(radians(e."latitude" - ${near.latitude}::float8) / 2), 2)
  + cos(radians(${near.latitude}::float8)) * cos(radians(e."latitude")) * power(sin(radians(e."longitude" - ${near.longitude}::float8) / 2), 2)))))`;

/** The bounding-box prefilter (served by the (latitude, longitude) index) and the exact radius. */
function nearSql(near: Near): Prisma.Sql {
  const box = boundingBox(near);
  return sql`e."latitude" BETWEEN ${box.minLat}::float8 AND ${box.maxLat}::float8
    ${box.minLng != null ? sql`AND e."longitude" BETWEEN ${box.minLng}::float8 AND ${box.maxLng}::float8` : empty}
    AND ${distanceSql(near)} <= ${near.radiusKm}::float8`;
}

export function searchWhere(filter: SearchFilter, principal: Principal): Prisma.Sql {
  const where: Prisma.Sql[] = [
    visibilitySql(principal),
    notReplacedSql(principal),
    anyOf(sql`e."status"`, filter.statuses, '"EventStatus"'),
  ];
  if (filter.text) where.push(sql`e."searchDocument" @@ ${tsQuery(filter.text)}`);
  if (filter.from) where.push(sql`e."endsAt" > ${filter.from}::timestamptz`);
  if (filter.to) where.push(sql`e."startsAt" < ${filter.to}::timestamptz`);
  if (filter.categories) where.push(sql`e."categories" && ARRAY[${join(filter.categories)}]::text[]`);
  if (filter.near) where.push(nearSql(filter.near));
  if (filter.venueId) where.push(sql`e."venueId" = ${filter.venueId}::uuid`);
  if (filter.organizationId) where.push(sql`e."organizationId" = ${filter.organizationId}::uuid`);
  if (filter.costTypes) where.push(anyOf(sql`e."costType"`, filter.costTypes, '"CostType"'));
  return join(where, ' AND ');
}

const ORDER: Record<SearchSort, Prisma.Sql> = {
  START: sql`s."startsAt" ASC, s."id" ASC`,
  DISTANCE: sql`s."distanceKm" ASC, s."id" ASC`,
  RELEVANCE: sql`s."rank" DESC, s."id" ASC`,
  POPULARITY: sql`s."popularity" DESC, s."id" ASC`,
};

function afterSql(sort: SearchSort, cursor: Cursor): Prisma.Sql {
  const id = sql`${cursor.id}::uuid`;
  switch (sort) {
    case 'START':
      return sql`(s."startsAt", s."id") > (${(cursor.key as Date).toISOString()}::timestamptz, ${id})`;
    case 'DISTANCE':
      return sql`(s."distanceKm", s."id") > (${cursor.key as number}::float8, ${id})`;
    case 'RELEVANCE':
      return sql`(s."rank" < ${cursor.key as number}::float8 OR (s."rank" = ${cursor.key as number}::float8 AND s."id" > ${id}))`;
    case 'POPULARITY':
      return sql`(s."popularity" < ${cursor.key as number}::int OR (s."popularity" = ${cursor.key as number}::int AND s."id" > ${id}))`;
  }
}

const cursorOf = (sort: SearchSort, hit: Hit): string => {
  const key = {
    START: hit.startsAt,
    DISTANCE: hit.distanceKm ?? 0,
    RELEVANCE: hit.rank ?? 0,
    POPULARITY: hit.popularity,
  }[sort];
  return encodeCursor(key, hit.id, sort);
};

/** The SQL of one page of a search (exported for the benchmark's EXPLAIN). */
export function searchPageSql(
  filter: SearchFilter,
  sort: SearchSort,
  principal: Principal,
  limit: number,
  after?: Cursor,
): Prisma.Sql {
  const distance = filter.near ? distanceSql(filter.near) : sql`NULL::float8`;
  const rank = filter.text ? sql`ts_rank_cd(e."searchDocument", ${tsQuery(filter.text)})::float8` : sql`NULL::float8`;
  return sql`SELECT s.* FROM (
      SELECT e."id", e."startsAt", e."popularity", ${distance} AS "distanceKm", ${rank} AS "rank"
      FROM "Event" e WHERE ${searchWhere(filter, principal)}
    ) s
    ${after ? sql`WHERE ${afterSql(sort, after)}` : empty}
    ORDER BY ${ORDER[sort]}
    LIMIT ${limit}`;
}

export const searchCountSql = (filter: SearchFilter, principal: Principal) =>
  sql`SELECT count(*)::int AS "count" FROM "Event" e WHERE ${searchWhere(filter, principal)}`;

async function eventsById(ctx: EventsContext, ids: string[]): Promise<Map<string, Event>> {
  const events = await Promise.all(ids.map((id) => ctx.loaders.event.load(id)));
  return new Map(events.filter((e): e is Event => e != null).map((e) => [e.id, e]));
}

/**
 * One page of a validated search as `principal` may see it: searchEvents and saved searches' `results` share it.
 * `after` is the raw cursor (validated against `sort` here).
 */
export async function runSearch(
  ctx: EventsContext,
  principal: Principal,
  filter: SearchFilter,
  sort: SearchSort,
  first: number,
  after?: string | null,
): Promise<SearchConnection> {
  const cursor = after != null ? decodeCursor(after, cursorKeyKind(sort), sort) : undefined;
  const hits = await ctx.db.$queryRaw<Hit[]>(searchPageSql(filter, sort, principal, first + 1, cursor));
  const page = hits.slice(0, first);
  const events = await eventsById(
    ctx,
    page.map((h) => h.id),
  );
  return connectionOf(
    page.filter((h) => events.has(h.id)).map((h) => ({ ...h, node: events.get(h.id)!, cursor: cursorOf(sort, h) })),
    hits.length > first,
    after,
    () => ctx.db.$queryRaw<{ count: number }[]>(searchCountSql(filter, principal)).then((r) => Number(r[0]!.count)),
  );
}

/** The ids of up to `limit` matches in START order (calendar feeds), without loading the events. */
export async function searchIds(
  ctx: EventsContext,
  principal: Principal,
  filter: SearchFilter,
  limit: number,
): Promise<string[]> {
  const hits = await ctx.db.$queryRaw<Hit[]>(searchPageSql(filter, 'START', principal, limit));
  return hits.map((h) => h.id);
}

builder.queryFields((t) => ({
  searchEvents: t.field({
    type: ConnectionRef,
    description: 'Discovery: events matching every filter given, visible to the caller, in the order asked for.',
    args: {
      filter: t.arg({ type: EventSearchFilter }),
      sort: t.arg({ type: EventSortEnum, defaultValue: 'START' }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: (_root, args, ctx) => {
      const sort = args.sort ?? 'START';
      const first = pageSize(args.first);
      const filter = checkSearch(args.filter, sort, parseId);
      return runSearch(ctx, ctx.principal, filter, sort, first, args.after);
    },
  }),
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
