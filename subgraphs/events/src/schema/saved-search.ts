import {
  canonicalTimeZone,
  DomainError,
  ErrorCode,
  notFound,
  pageSize,
  parseId,
  requireAuthenticated,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { checkSearch, type SearchFilter, type SearchFilterInput } from '../domain/search';
import type { SavedSearch } from '../generated/prisma/client';
import type { EventsContext } from '../context';
import { pageArgs, pageListSize } from './connection';
import { ConnectionRef, EventSearchFilter, runSearch, selectsCount } from './search';

/**
 * Saved searches: a user's named EventSearchFilter, private to them in the API (anyone else gets NOT_FOUND).
 * The filter is validated with searchEvents' rules when saved and again whenever it runs, and stored as given
 * (instants as ISO strings), so a relative rule such as "fromDate in a zone" keeps its meaning. `results` runs
 * it as its owner; its calendar feed (`calendarPath`, see calendar.ts) runs it as an anonymous caller.
 */

export const MAX_SAVED_SEARCHES = 100;
export const MAX_SAVED_SEARCH_NAME = 100;

/** The input fields in a fixed order (the stored JSON keeps it). */
const FILTER_FIELDS = [
  'text',
  'from',
  'to',
  'fromDate',
  'toDate',
  'timeZone',
  'categories',
  'near',
  'venueId',
  'organizationId',
  'cost',
  'statuses',
] as const;
const INSTANTS = new Set<string>(['from', 'to']);

/** The filter as given, without empty fields, instants as ISO strings, the time zone canonical: what is stored and shown. */
export function storedFilter(input: SearchFilterInput): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const field of FILTER_FIELDS) {
    const value = input[field];
    if (value == null) continue;
    stored[field] =
      value instanceof Date ? value.toISOString() : field === 'timeZone' ? (canonicalTimeZone(value as string) ?? value) : value;
  }
  return stored;
}

/** The stored JSON back to an input of checkSearch. */
export function filterInput(stored: unknown): SearchFilterInput {
  const json = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const field of FILTER_FIELDS) {
    const value = json[field];
    if (value == null) continue;
    input[field] = INSTANTS.has(field) ? new Date(value as string) : value;
  }
  return input as SearchFilterInput;
}

/** A saved search's filter, validated again (START order: results and feeds list by start). */
export const savedSearchFilter = (row: Pick<SavedSearch, 'filter'>): SearchFilter =>
  checkSearch(filterInput(row.filter), 'START', parseId);

export const savedSearchPath = (id: string) => `/calendar/searches/${id}.ics`;

function requireUser(principal: Principal): string {
  requireAuthenticated(principal);
  if (principal.kind !== 'user' || !principal.id)
    throw new DomainError(ErrorCode.FORBIDDEN, 'saved searches belong to signed-in users');
  return principal.id;
}

/** The caller's saved search `rawId`; NOT_FOUND for anyone else's (their existence is not revealed). */
async function ownSavedSearch(ctx: EventsContext, rawId: string): Promise<SavedSearch> {
  const userId = requireUser(ctx.principal);
  const id = parseId('id', rawId);
  const row = await ctx.db.savedSearch.findFirst({ where: { id, userId } });
  if (!row) throw notFound('SavedSearch', id);
  return row;
}

const SavedSearchRef = builder.objectRef<SavedSearch>('SavedSearch').implement({
  description:
    'A named event search of the calling user. Only its owner sees it; its calendar feed lists what the search finds for anyone (published PUBLIC events), since calendar apps fetch without credentials.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    filter: t.field({
      type: 'JSONObject',
      description: 'the EventSearchFilter as saved (fields left out were not given; from/to as ISO instants)',
      resolve: (s) => s.filter as Record<string, unknown>,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    results: t.field({
      type: ConnectionRef,
      description: 'What the search finds now for the caller, soonest first (searchEvents with sort START).',
      args: pageArgs(t.arg),
      listSize: pageListSize,
      resolve: (s, args, ctx, info) =>
        runSearch(ctx, ctx.principal, savedSearchFilter(s), 'START', pageSize(args.first), args.after, {
          count: selectsCount(info),
        }),
    }),
    calendarPath: t.string({
      description:
        "the search's iCalendar feed, relative to the gateway (/calendar/searches/<id>.ics): its published PUBLIC matches, for anyone holding the URL",
      resolve: (s) => savedSearchPath(s.id),
    }),
  }),
});

builder.queryFields((t) => ({
  savedSearches: t.field({
    type: [SavedSearchRef],
    description: "The calling user's saved searches, newest first.",
    resolve: (_root, _args, ctx) => {
      const userId = requireUser(ctx.principal);
      return ctx.db.savedSearch.findMany({ where: { userId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
    },
  }),
  savedSearch: t.field({
    type: SavedSearchRef,
    description: "One of the calling user's saved searches (NOT_FOUND for anyone else's).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ownSavedSearch(ctx, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  saveSearch: t.field({
    type: SavedSearchRef,
    description: `Saves a search for the calling user (signed-in users; at most ${MAX_SAVED_SEARCHES}). The filter is checked like searchEvents' (BAD_USER_INPUT naming the field).`,
    args: { name: t.arg.string({ required: true }), filter: t.arg({ type: EventSearchFilter, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = requireUser(ctx.principal);
      const name = requireText('name', args.name, MAX_SAVED_SEARCH_NAME);
      checkSearch(args.filter, 'START', parseId);
      const filter = storedFilter(args.filter);
      if ((await ctx.db.savedSearch.count({ where: { userId } })) >= MAX_SAVED_SEARCHES) {
        throw new DomainError(ErrorCode.CONFLICT, `at most ${MAX_SAVED_SEARCHES} saved searches; delete one first`);
      }
      return ctx.db.savedSearch.create({ data: { userId, name, filter: filter as object } });
    },
  }),
  deleteSavedSearch: t.boolean({
    description: "Deletes one of the calling user's saved searches; its calendar feed answers 404 from then on.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const row = await ownSavedSearch(ctx, String(args.id));
      await ctx.db.savedSearch.deleteMany({ where: { id: row.id, userId: row.userId } });
      return true;
    },
  }),
}));
