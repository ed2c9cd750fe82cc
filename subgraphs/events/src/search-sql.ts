/**
 * The SQL of event discovery (searchEvents, saved searches, calendar feeds, trendingEvents), over the alias `e` of
 * "Event". See docs/architecture.md ("Search") for the indexes each part is meant to use.
 */
import { readableOrganizations, type Cursor, type Principal } from '@eventgraph/runtime';
import { PUBLIC_STATUSES } from './domain/event-lifecycle';
import { boundingBox, EARTH_RADIUS_KM, type Near, type SearchFilter, type SearchSort } from './domain/search';
import { anyKeyQuery, fewDayKeys, placeKeys, placeMonthCondition, placeMonthQuery, timeKeys } from './domain/search-keys';
import { Prisma } from './generated/prisma/client';
import { userOf } from './visibility';

const { sql, join, empty, raw } = Prisma;

/** `column = ANY(ARRAY[$1, $2, …]::type[])`, one parameter per value (array parameters do not survive every driver adapter). */
export function anyOf(column: Prisma.Sql, values: readonly string[], type: string): Prisma.Sql {
  if (!values.length) return sql`FALSE`;
  return sql`${column} = ANY(ARRAY[${join([...values])}]::${raw(type)}[])`;
}

/** withinWhiteLabel (./visibility) as SQL over the alias `e`. */
export function whiteLabelSql(principal: Principal): Prisma.Sql {
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
 * visibleEventsWhere (./visibility) as SQL over the alias `e`: lists show PUBLIC published events, the caller's
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

/** notReplacedWhere (./visibility) as SQL: a user's own events stand in for the events they replace. */
export function notReplacedSql(principal: Principal): Prisma.Sql {
  const me = userOf(principal);
  if (!me) return sql`TRUE`;
  return sql`NOT EXISTS (SELECT 1 FROM "OwnEventMatch" m WHERE m."ownerUserId" = ${me}::uuid AND m."publicEventId" = e."id")`;
}

const tsQuery = (text: string) => sql`websearch_to_tsquery('english', ${text})`;

/** Haversine distance in km from `near` to the event's (denormalised) venue coordinates. */
export const distanceSql = (
  near: Pick<Near, 'latitude' | 'longitude'>,
) => sql`(2 * ${EARTH_RADIUS_KM}::float8 * asin(least(1, sqrt(
  power(sin(radians(e."latitude" - ${near.latitude}::float8) / 2), 2)
  + cos(radians(${near.latitude}::float8)) * cos(radians(e."latitude")) * power(sin(radians(e."longitude" - ${near.longitude}::float8) / 2), 2)))))`;

/** The bounding-box prefilter (served by the (latitude, longitude) index) and the exact radius. */
export function nearSql(near: Near): Prisma.Sql {
  const box = boundingBox(near);
  return sql`e."latitude" BETWEEN ${box.minLat}::float8 AND ${box.maxLat}::float8
    ${box.minLng != null ? sql`AND e."longitude" BETWEEN ${box.minLng}::float8 AND ${box.maxLng}::float8` : empty}
    AND ${distanceSql(near)} <= ${near.radiusKm}::float8`;
}

/**
 * Is the venue `v` open at `at`, by the precedence of domain/status-precedence.ts openNowOf: its organisation's
 * live status while valid and saying so; else TRUE while an event with gates (a check-in reading) runs there; else
 * the aggregate of users' reports kept in VenueReportAggregate while valid and saying so; else its hours by the
 * rule of domain/opening-hours.ts (the venue's wall clock inside an interval of today, or of yesterday past
 * midnight; a date with an exception uses its own intervals). Local time is PostgreSQL's own `AT TIME ZONE` (the
 * venue's zone was checked there when the hours were set); test/opening-hours-sql.test.ts holds this to isOpenAt,
 * platform/test/venue-places.test.ts to Venue.openNow.
 */
export function venueOpenSql(v: Prisma.Sql, at: Date): Prisma.Sql {
  const instant = sql`${at.toISOString()}::timestamptz`;
  return sql`COALESCE(
    (SELECT st."open" FROM "VenueStatus" st WHERE st."venueId" = ${v}."id" AND st."validUntil" > ${instant}),
    CASE WHEN EXISTS (SELECT 1 FROM "Event" ev JOIN "SeriesOccupancy" o ON o."eventId" = ev."id"
      WHERE ev."venueId" = ${v}."id" AND ev."startsAt" <= ${instant} AND ev."endsAt" > ${instant} AND o."capacity" > 0)
      THEN TRUE END,
    (SELECT ra."open" FROM "VenueReportAggregate" ra WHERE ra."venueId" = ${v}."id" AND ra."validUntil" > ${instant}),
    -- CASE evaluates in order: a venue without hours is never asked for its local time
    CASE WHEN NOT EXISTS (SELECT 1 FROM "VenueOpeningInterval" i0 WHERE i0."venueId" = ${v}."id") THEN FALSE ELSE
    EXISTS (SELECT 1 FROM (VALUES (0), (1)) AS back(n)
      CROSS JOIN LATERAL (SELECT (l.t::date - back.n) AS day,
          (extract(hour FROM l.t) * 60 + extract(minute FROM l.t))::int + 1440 * back.n AS minute
        FROM (SELECT ${instant} AT TIME ZONE ${v}."timeZone" AS t) l) c
      JOIN "VenueOpeningInterval" i ON i."venueId" = ${v}."id" AND i."opensMinute" <= c.minute AND c.minute < i."closesMinute"
      WHERE CASE WHEN EXISTS (SELECT 1 FROM "VenueOpeningException" x WHERE x."venueId" = ${v}."id" AND x."date" = c.day)
        THEN i."date" = c.day ELSE i."date" IS NULL AND i."weekday" = extract(isodow FROM c.day)::int END) END)`;
}

/** `e."searchDocument" @@ (key | key | …)`: one more condition for the same GIN scan (domain/search-keys). */
const hasAnyKey = (keys: readonly string[]) => sql`e."searchDocument" @@ ${anyKeyQuery(keys)}::tsquery`;

/**
 * The WHERE of a search. With search keys (the default) the radius and the date range are also asked of the search
 * document's GIN index, each a condition of its own, so GIN intersects keyword, cells and days in one scan; the exact
 * radius and range are checked on what it finds. `keys: false` is the same filter without them (tests compare).
 */
export function searchWhere(filter: SearchFilter, principal: Principal, options: { keys?: boolean } = {}): Prisma.Sql {
  const keyed = options.keys !== false;
  // a radius and a range together: one place-and-month key (plus the days of a short range); else each on its own
  const placeMonth = keyed && filter.near ? placeMonthCondition(filter.near, filter.from, filter.to) : null;
  const place = keyed && filter.near && !placeMonth ? placeKeys(filter.near) : null;
  const time = keyed ? (placeMonth ? fewDayKeys(filter.from, filter.to) : timeKeys(filter.from, filter.to)) : null;
  const where: Prisma.Sql[] = [
    visibilitySql(principal),
    notReplacedSql(principal),
    anyOf(sql`e."status"`, filter.statuses, '"EventStatus"'),
  ];
  // in this order: GIN walks the keys' posting lists in turn, and leading with the shortest measured fastest
  if (placeMonth) where.push(sql`e."searchDocument" @@ ${placeMonthQuery(placeMonth)}::tsquery`);
  if (time) where.push(hasAnyKey(time));
  if (place) where.push(hasAnyKey(place));
  if (filter.text) where.push(sql`e."searchDocument" @@ ${tsQuery(filter.text)}`);
  // with keys for the range, the range is checked on the rows found, never an index condition: the planner, which
  // overestimates OR-ed keys ninefold, would AND a btree range over a third of the table into the scan (IS TRUE
  // keeps the same test, columns being NOT NULL, out of the startsAt index's reach)
  const exact = (test: Prisma.Sql) => (placeMonth || time ? sql`(${test}) IS TRUE` : test);
  if (filter.from) where.push(exact(sql`e."endsAt" > ${filter.from}::timestamptz`));
  if (filter.to) where.push(exact(sql`e."startsAt" < ${filter.to}::timestamptz`));
  if (filter.categories) where.push(sql`e."categories" && ARRAY[${join(filter.categories)}]::text[]`);
  // with cells, no box: the planner would AND the (latitude, longitude) index's much larger bitmap into the scan
  if (filter.near) {
    where.push(place || placeMonth ? sql`${distanceSql(filter.near)} <= ${filter.near.radiusKm}::float8` : nearSql(filter.near));
  }
  if (filter.venueId) where.push(sql`e."venueId" = ${filter.venueId}::uuid`);
  if (filter.organizationId) where.push(sql`e."organizationId" = ${filter.organizationId}::uuid`);
  if (filter.costTypes) where.push(anyOf(sql`e."costType"`, filter.costTypes, '"CostType"'));
  // last, and per row found: the venue's row by its key, its status and the few intervals of today and yesterday
  if (filter.openAt) {
    where.push(sql`EXISTS (SELECT 1 FROM "Venue" v WHERE v."id" = e."venueId" AND ${venueOpenSql(sql`v`, filter.openAt)})`);
  }
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

const distanceOf = (filter: SearchFilter) => (filter.near ? distanceSql(filter.near) : sql`NULL::float8`);
const rankOf = (filter: SearchFilter) =>
  filter.text ? sql`ts_rank_cd(e."searchDocument", ${tsQuery(filter.text)})::float8` : sql`NULL::float8`;

/** The matches with what a page is sorted by and shows: id, startsAt, popularity, distanceKm, rank. */
function hitsSql(filter: SearchFilter, principal: Principal, options: { keys?: boolean } = {}): Prisma.Sql {
  return sql`SELECT e."id", e."startsAt", e."popularity", ${distanceOf(filter)} AS "distanceKm", ${rankOf(filter)} AS "rank"
    FROM "Event" e WHERE ${searchWhere(filter, principal, options)}`;
}

/** The SQL of one page of a search (exported for the benchmark's EXPLAIN and the tests). */
export function searchPageSql(
  filter: SearchFilter,
  sort: SearchSort,
  principal: Principal,
  limit: number,
  after?: Cursor,
  options: { keys?: boolean } = {},
): Prisma.Sql {
  return sql`SELECT s.* FROM (${hitsSql(filter, principal, options)}) s
    ${after ? sql`WHERE ${afterSql(sort, after)}` : empty}
    ORDER BY ${ORDER[sort]}
    LIMIT ${limit}`;
}

/**
 * One page and the number of matches in one statement, reading at most `cap + 1` matches: "total" is exact when it
 * is at most `cap`, and the page is then the right one too. Above `cap` both are to be thrown away (the page is of
 * an arbitrary subset): see runSearch. One row with a NULL id when the page is empty. Every match carries only its
 * sort key: distance and rank are computed for the page's rows alone.
 */
export function countedPageSql(
  filter: SearchFilter,
  sort: SearchSort,
  principal: Principal,
  limit: number,
  cap: number,
  after?: Cursor,
): Prisma.Sql {
  const distance = sort === 'DISTANCE' ? distanceOf(filter) : sql`NULL::float8`;
  const rank = sort === 'RELEVANCE' ? rankOf(filter) : sql`NULL::float8`;
  return sql`WITH c AS MATERIALIZED (
      SELECT e."id", e."startsAt", e."popularity", ${distance} AS "distanceKm", ${rank} AS "rank"
      FROM "Event" e WHERE ${searchWhere(filter, principal)} LIMIT ${cap + 1}
    )
    SELECT s."id", s."startsAt", s."popularity", ${distanceOf(filter)} AS "distanceKm", ${rankOf(filter)} AS "rank", n."total"
    FROM (SELECT count(*)::int AS "total" FROM c) n
    LEFT JOIN LATERAL (
      SELECT * FROM c s ${after ? sql`WHERE ${afterSql(sort, after)}` : empty} ORDER BY ${ORDER[sort]} LIMIT ${limit}
    ) s ON TRUE
    LEFT JOIN "Event" e ON e."id" = s."id"
    ORDER BY ${ORDER[sort]}`;
}

/** The number of matches, counting at most `cap + 1` of them. */
export const cappedCountSql = (filter: SearchFilter, principal: Principal, cap: number) =>
  sql`SELECT count(*)::int AS "total" FROM (SELECT 1 FROM "Event" e WHERE ${searchWhere(filter, principal)} LIMIT ${cap + 1}) c`;

/** The planner's plan of counting every match: its row estimate stands in for a count too large to make. */
export const estimateSql = (filter: SearchFilter, principal: Principal) =>
  sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM "Event" e WHERE ${searchWhere(filter, principal)}`;
