import {
  connectionOf,
  decodeCursor,
  encodeCursor,
  estimatedCount,
  pageSize,
  parseId,
  type Connection,
  type ListCount,
  type Principal,
} from '@eventgraph/runtime';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { builder } from '../builder';
import {
  checkSearch,
  COSTS,
  cursorKeyKind,
  EXACT_COUNT_LIMIT,
  SEARCH_SORTS,
  type SearchFilter,
  type SearchSort,
} from '../domain/search';
import type { Event } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { cappedCountSql, countedPageSql, estimateSql, searchPageSql } from '../search-sql';
import { connectionOfEdges, pageArgs, pageListSize } from './connection';
import { EventRef, EventStatusEnum } from './event';

export const EventSortEnum = builder.enumType('EventSort', {
  description:
    'START: soonest first; DISTANCE: nearest first (needs filter.near); RELEVANCE: best text match first (needs filter.text); POPULARITY: most viewed, shared and RSVPed first',
  values: SEARCH_SORTS,
});
const CostFilterEnum = builder.enumType('CostFilter', {
  description: 'FREE: FREE or DONATION; PAID: PAID or VARIABLE',
  values: COSTS,
});

export const NearInput = builder.inputType('NearInput', {
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
    openNow: t.boolean({
      description:
        "only events whose venue is open now, as Venue.openNow decides (its organisation's live status, an event with gates running there, users' agreeing reports, else its opening hours; false or absent: no filter)",
    }),
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

export const ConnectionRef = connectionOfEdges('EventSearch', EdgeRef, { estimatedCount: true });

const cursorOf = (sort: SearchSort, hit: Hit): string => {
  const key = {
    START: hit.startsAt,
    DISTANCE: hit.distanceKm ?? 0,
    RELEVANCE: hit.rank ?? 0,
    POPULARITY: hit.popularity,
  }[sort];
  return encodeCursor(key, hit.id, sort);
};

export async function eventsById(ctx: EventsContext, ids: string[]): Promise<Map<string, Event>> {
  const events = await Promise.all(ids.map((id) => ctx.loaders.event.load(id)));
  return new Map(events.filter((e): e is Event => e != null).map((e) => [e.id, e]));
}

/** Whether a connection's selection (fragments included) asks for its count. */
export function selectsCount(info: GraphQLResolveInfo): boolean {
  const asks = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === 'totalCount' || s.name.value === 'totalCountIsEstimate';
      if (s.kind === Kind.INLINE_FRAGMENT) return asks(s.selectionSet);
      return asks(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => asks(node.selectionSet));
}

/** Above EXACT_COUNT_LIMIT matches: the planner's estimate, and never less than what is known to be there. */
async function estimatedTotal(ctx: EventsContext, filter: SearchFilter, principal: Principal): Promise<ListCount> {
  const [row] = await ctx.db.$queryRaw<{ 'QUERY PLAN': unknown }[]>(estimateSql(filter, principal));
  const plan = typeof row?.['QUERY PLAN'] === 'string' ? JSON.parse(row['QUERY PLAN']) : row?.['QUERY PLAN'];
  const rows = Number((plan as { Plan?: { 'Plan Rows'?: number } }[] | undefined)?.[0]?.Plan?.['Plan Rows'] ?? 0);
  return { value: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(rows)), estimate: true };
}

/** The count on its own (a page read without it): exact up to EXACT_COUNT_LIMIT matches, else estimated. */
async function countMatches(ctx: EventsContext, filter: SearchFilter, principal: Principal): Promise<ListCount> {
  const [row] = await ctx.db.$queryRaw<{ total: number }[]>(cappedCountSql(filter, principal, EXACT_COUNT_LIMIT));
  const total = Number(row!.total);
  return total <= EXACT_COUNT_LIMIT ? { value: total, estimate: false } : estimatedTotal(ctx, filter, principal);
}

/**
 * One page of a validated search as `principal` may see it: searchEvents and saved searches' `results` share it.
 * `after` is the raw cursor (validated against `sort` here). With `count` (the client selected totalCount) the
 * page and an exact count come from one statement when there are at most EXACT_COUNT_LIMIT matches; above that the
 * page is read on its own and the count is the planner's estimate, flagged as one.
 */
export async function runSearch(
  ctx: EventsContext,
  principal: Principal,
  filter: SearchFilter,
  sort: SearchSort,
  first: number,
  after: string | null | undefined,
  options: { count: boolean },
): Promise<SearchConnection> {
  const cursor = after != null ? decodeCursor(after, cursorKeyKind(sort), sort) : undefined;
  let hits: Hit[] | undefined;
  let counted: ListCount | undefined;
  if (options.count) {
    const rows = await ctx.db.$queryRaw<(Hit & { total: number })[]>(
      countedPageSql(filter, sort, principal, first + 1, EXACT_COUNT_LIMIT, cursor),
    );
    const total = Number(rows[0]!.total);
    if (total <= EXACT_COUNT_LIMIT) {
      hits = rows.filter((r) => r.id != null);
      counted = { value: total, estimate: false };
    }
  }
  hits ??= await ctx.db.$queryRaw<Hit[]>(searchPageSql(filter, sort, principal, first + 1, cursor));
  const page = hits.slice(0, first);
  const events = await eventsById(
    ctx,
    page.map((h) => h.id),
  );
  const edges = page.filter((h) => events.has(h.id)).map((h) => ({ ...h, node: events.get(h.id)!, cursor: cursorOf(sort, h) }));
  // selected but above the limit: what is left is the estimate (a count of its own only when the selection was not seen)
  const count = async () =>
    counted ?? (options.count ? estimatedTotal(ctx, filter, principal) : countMatches(ctx, filter, principal));
  return { ...connectionOf(edges, hits.length > first, after, () => 0), ...estimatedCount(count) };
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
    resolve: (_root, args, ctx, info) => {
      const sort = args.sort ?? 'START';
      const first = pageSize(args.first);
      const filter = checkSearch(args.filter, sort, parseId);
      return runSearch(ctx, ctx.principal, filter, sort, first, args.after, { count: selectsCount(info) });
    },
  }),
}));
