import { afterWhere, decodeCursor, encodeCursor, pageOf, pageSize, parseId, readableOrganizations } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { averageRecordsPerRunOf, freshnessOf, successRateOf } from '../domain/run-schedule';
import { UPLOAD_KINDS } from '../domain/source-settings';
import type { SourceKind } from '../domain/records';
import { canSeeSource } from '../visibility';
import { builder } from '../builder';
import type { Source } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';

export const SourceKindEnum = builder.enumType('SourceKind', {
  description:
    'ICAL (a URL or an uploaded file), RSS (RSS 2.0 or Atom), JSON (a partner API, with a field mapping), CSV (uploaded, with a column mapping), WEBHOOK (the partner pushes signed JSON), HTML (a listing page, with selectors).',
  values: ['ICAL', 'RSS', 'JSON', 'CSV', 'WEBHOOK', 'HTML'] as const,
});

export const TrustLevelEnum = builder.enumType('TrustLevel', {
  description: 'How far a source is believed: its facts win over less trusted sources of the same event.',
  values: ['UNVERIFIED', 'STANDARD', 'TRUSTED', 'OFFICIAL'] as const,
});

const FreshnessEnum = builder.enumType('SourceFreshness', {
  description:
    'FRESH: a run succeeded within twice the schedule (a day for sources run on demand); STALE: not since; NEVER: no run has succeeded yet.',
  values: ['FRESH', 'STALE', 'NEVER'] as const,
});

export const SourceRef = builder.objectRef<Source>('Source');

export async function visibleSource(ctx: IngestContext, id: string): Promise<Source | null> {
  const source = await ctx.loaders.source.load(id);
  return source && canSeeSource(ctx.principal, source) ? source : null;
}

builder.asEntity(SourceRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => visibleSource(ctx, id),
});

const SourceHealthRef = builder.objectRef<Source>('SourceHealth').implement({
  description: 'How a source has been doing: from its recorded runs.',
  fields: (t) => ({
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true }),
    lastSuccessAt: t.expose('lastSuccessAt', { type: 'DateTime', nullable: true }),
    failureStreak: t.exposeInt('failureStreak', { description: 'failed runs since the last success' }),
    runCount: t.exposeInt('runCount'),
    successRate: t.float({
      nullable: true,
      description: 'share of runs that succeeded (partial runs count)',
      resolve: (s) => successRateOf(s.runCount, s.successCount),
    }),
    averageRecordsPerRun: t.float({ nullable: true, resolve: (s) => averageRecordsPerRunOf(s.runCount, s.recordsFound) }),
    freshness: t.field({ type: FreshnessEnum, resolve: (s) => freshnessOf(s.lastSuccessAt, s.scheduleSeconds, new Date()) }),
    nextRunAt: t.expose('nextRunAt', {
      type: 'DateTime',
      nullable: true,
      description: 'null: runs only when asked (runSourceNow, upload, push)',
    }),
    running: t.boolean({ description: 'a worker holds it now', resolve: (s) => !!s.leaseUntil && s.leaseUntil > new Date() }),
  }),
});

SourceRef.implement({
  description: 'A feed events are aggregated from, with its schedule, trust and health. Credentials are never returned.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: SourceKindEnum, resolve: (s) => s.kind }),
    url: t.exposeString('url', { nullable: true, description: 'where it is fetched from; null for uploads and push' }),
    organizationId: t.exposeID('organizationId', { nullable: true, description: 'null for platform-wide sources' }),
    config: t.field({
      type: 'JSONObject',
      description: 'the field mapping (JSON, CSV, WEBHOOK), selectors (HTML) or time-zone defaults (ICAL, RSS)',
      resolve: (s) => (s.config ?? {}) as Record<string, unknown>,
    }),
    scheduleSeconds: t.exposeInt('scheduleSeconds', { description: 'between scheduled runs; 0 runs only when asked' }),
    priority: t.exposeInt('priority'),
    trust: t.field({ type: TrustLevelEnum, resolve: (s) => s.trust }),
    requestsPerMinute: t.exposeInt('requestsPerMinute', { description: 'at most this many requests to its host per minute' }),
    active: t.exposeBoolean('active'),
    autoApproveQuality: t.exposeFloat('autoApproveQuality', {
      nullable: true,
      description: 'its canonical events are approved on arrival at this quality or above; null leaves them to moderators',
    }),
    hasCredentials: t.boolean({ resolve: (s) => s.credentials !== null }),
    credentialKind: t.exposeString('credentialKind', { nullable: true, description: 'API_KEY, BASIC, BEARER or WEBHOOK_SECRET' }),
    pushPath: t.string({
      nullable: true,
      description: 'WEBHOOK sources: the gateway path a partner POSTs signed JSON to (see rotatePushSecret)',
      resolve: (s) => (s.kind === 'WEBHOOK' ? `/ingest/sources/${s.id}/push` : null),
    }),
    uploadPath: t.string({
      nullable: true,
      description: 'ICAL and CSV sources: the gateway path an admin POSTs a file to',
      resolve: (s) => (UPLOAD_KINDS.has(s.kind as SourceKind) ? `/ingest/sources/${s.id}/upload` : null),
    }),
    health: t.field({ type: SourceHealthRef, resolve: (s) => s }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const SourceConnectionRef = connectionType('Source', SourceRef);

builder.queryFields((t) => ({
  source: t.field({
    type: SourceRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => visibleSource(ctx, parseId('id', id)),
  }),
  sources: t.field({
    type: SourceConnectionRef,
    description: 'platform-wide sources and those of organisations the caller may read, oldest first',
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const readable = readableOrganizations(ctx.principal);
      const where = readable === 'all' ? {} : { OR: [{ organizationId: null }, { organizationId: { in: readable } }] };
      const rows = await ctx.db.source.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after)] } : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (s) => encodeCursor(s.createdAt, s.id),
        count: () => ctx.db.source.count({ where }),
      });
    },
  }),
}));
