import {
  afterWhere,
  clearLoaders,
  decodeCursor,
  encodeCursor,
  liveEvents,
  notFound,
  pageOf,
  pageSize,
  parseId,
  type BusEvent,
} from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { canSeeSource } from '../visibility';
import { builder } from '../builder';
import type { FetchRun, FetchRunError } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { SourceRef, visibleSource } from './source';

export const FetchRunStatusEnum = builder.enumType('FetchRunStatus', {
  description: 'RUNNING, then once: SUCCEEDED, PARTIAL (some records were refused; see errors) or FAILED (see errorCode)',
  values: ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED'] as const,
});

const FetchRunTriggerEnum = builder.enumType('FetchRunTrigger', { values: ['SCHEDULE', 'MANUAL', 'UPLOAD', 'PUSH'] as const });

export const FetchRunRef = builder.objectRef<FetchRun>('FetchRun');

async function visibleFetchRun(ctx: IngestContext, id: string): Promise<FetchRun | null> {
  const run = await ctx.loaders.fetchRun.load(id);
  return run && (await visibleSource(ctx, run.sourceId)) ? run : null;
}

builder.asEntity(FetchRunRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => visibleFetchRun(ctx, id),
});

const FetchRunCountsRef = builder.objectRef<FetchRun>('FetchRunCounts').implement({
  description:
    'Each record found counts once in new, updated, unchanged or rejected; duplicate counts the new and updated ones that joined an event another source has; removed counts records gone from the feed.',
  fields: (t) => ({
    found: t.exposeInt('foundCount'),
    new: t.exposeInt('newCount'),
    updated: t.exposeInt('updatedCount'),
    unchanged: t.exposeInt('unchangedCount'),
    duplicate: t.exposeInt('duplicateCount'),
    rejected: t.exposeInt('rejectedCount'),
    removed: t.exposeInt('removedCount'),
  }),
});

const FetchRunErrorRef = builder.objectRef<FetchRunError>('FetchRunError').implement({
  description: 'A record the run refused: which one, and why (a code from a closed set).',
  fields: (t) => ({
    ref: t.exposeString('ref', { nullable: true, description: "the record's feed id, row or position" }),
    code: t.exposeString('code', {
      description:
        'MISSING_TITLE, MISSING_START, INVALID_DATE, INVALID_TIME_ZONE, END_BEFORE_START, MALFORMED_RECORD or OUT_OF_HORIZON',
    }),
    reason: t.exposeString('reason'),
  }),
});

FetchRunRef.implement({
  description: 'One fetch (or upload, or push) of a source: how it ended, what it counted, what it refused.',
  fields: (t) => ({
    id: t.exposeID('id'),
    trigger: t.field({ type: FetchRunTriggerEnum, resolve: (r) => r.trigger }),
    status: t.field({ type: FetchRunStatusEnum, resolve: (r) => r.status }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    durationMs: t.exposeInt('durationMs', { nullable: true }),
    httpStatus: t.exposeInt('httpStatus', { nullable: true, description: '304: the feed was unchanged, nothing was parsed' }),
    errorCode: t.exposeString('errorCode', {
      nullable: true,
      description:
        'why the run failed: UNREACHABLE, TIMEOUT, HTTP_ERROR, TOO_MANY_REDIRECTS, BODY_TOO_LARGE, PRIVATE_ADDRESS, NOT_A_FEED, MALFORMED_FEED, SELECTOR_NO_MATCH, MISSING_CREDENTIALS, BAD_SOURCE_CONFIG or INTERNAL_ERROR',
    }),
    error: t.exposeString('error', { nullable: true }),
    itemCount: t.exposeInt('foundCount', { deprecationReason: 'use counts.found' }),
    counts: t.field({ type: FetchRunCountsRef, resolve: (r) => r }),
    errors: t.field({
      type: [FetchRunErrorRef],
      description: 'the refused records (the first 500)',
      resolve: (r, _args, ctx) => ctx.db.fetchRunError.findMany({ where: { runId: r.id }, orderBy: { id: 'asc' } }),
    }),
    source: t.field({ type: SourceRef, resolve: async (r, _args, ctx) => (await ctx.loaders.source.load(r.sourceId))! }),
  }),
});

const FetchRunConnectionRef = connectionType('FetchRun', FetchRunRef);

builder.objectField(SourceRef, 'runs', (t) =>
  t.field({
    type: FetchRunConnectionRef,
    description: 'its runs, newest first, page by page',
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: async (source, args, ctx) => {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const where = { sourceId: source.id };
      const rows = await ctx.db.fetchRun.findMany({
        where: after ? { AND: [where, afterWhere('startedAt', after, 'desc')] } : where,
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (r) => encodeCursor(r.startedAt, r.id),
        count: () => ctx.db.fetchRun.count({ where }),
      });
    },
  }),
);

builder.objectField(SourceRef, 'currentRun', (t) =>
  t.field({
    type: FetchRunRef,
    nullable: true,
    description: 'the fetch run a worker is running now (after runSourceNow: null until a worker takes it)',
    resolve: (source, _args, ctx) =>
      source.leaseUntil && source.leaseUntil > new Date()
        ? ctx.db.fetchRun.findFirst({
            where: { sourceId: source.id, status: 'RUNNING', trigger: { in: ['SCHEDULE', 'MANUAL'] } },
            orderBy: { startedAt: 'desc' },
          })
        : null,
  }),
);

builder.queryFields((t) => ({
  fetchRun: t.field({
    type: FetchRunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => visibleFetchRun(ctx, parseId('id', id)),
  }),
}));

/** A run's announcement, for a subscriber who may see its source (checked on every delivery). */
const runEventFor = (ctx: IngestContext, sourceId?: string) => (e: BusEvent) =>
  (!sourceId || e.payload.sourceId === sourceId) &&
  canSeeSource(ctx.principal, { organizationId: (e.payload.organizationId as string | null) ?? null });

async function freshRun(busEvent: BusEvent, ctx: IngestContext): Promise<FetchRun> {
  clearLoaders(ctx.loaders);
  const run = await ctx.loaders.fetchRun.load(busEvent.payload.fetchRunId as string);
  if (!run) throw notFound('FetchRun', busEvent.payload.fetchRunId as string);
  return run;
}

builder.subscriptionFields((t) => ({
  fetchRunProgress: t.field({
    type: FetchRunRef,
    description:
      "A source's runs as they go: when one starts, after each staged batch, and when it ends (status no longer RUNNING).",
    args: { sourceId: t.arg.id({ description: "one source's runs; all the caller may see when omitted" }) },
    subscribe: (_root, args, ctx) =>
      liveEvents(ctx.bus, 'ingest.run.*', runEventFor(ctx, args.sourceId ? parseId('sourceId', args.sourceId) : undefined)),
    resolve: (busEvent, _args, ctx) => freshRun(busEvent, ctx),
  }),
  fetchRunFinished: t.field({
    type: FetchRunRef,
    args: { sourceId: t.arg.id() },
    subscribe: (_root, args, ctx) =>
      liveEvents(
        ctx.bus,
        'ingest.run.finished',
        runEventFor(ctx, args.sourceId ? parseId('sourceId', args.sourceId) : undefined),
      ),
    resolve: (busEvent, _args, ctx) => freshRun(busEvent, ctx),
  }),
}));
