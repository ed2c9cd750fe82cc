import {
  afterWhere,
  can,
  decodeCursor,
  emptyConnection,
  encodeCursor,
  isPlatformService,
  pageOf,
  pageSize,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { canonicalLoaders } from '../canonical/loaders';
import type { IngestContext } from '../context';
import type { RecordProblem } from '../domain/records';
import type { DuplicateMatch, SourceRecord } from '../generated/prisma/client';
import { canSeeSource } from '../visibility';
import { connectionType, pageArgs, pageListSize } from './connection';
import { SourceRef } from './source';

export const RecordStateEnum = builder.enumType('RecordState', {
  description: 'ACTIVE: live in its feed; INVALID: refused by normalisation (kept for review); REMOVED: gone from its feed.',
  values: ['ACTIVE', 'INVALID', 'REMOVED'] as const,
});

const RecordProblemRef = builder.objectRef<RecordProblem>('RecordProblem').implement({
  description: 'Why normalisation refused a record.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'MISSING_TITLE, MISSING_START, INVALID_DATE, INVALID_TIME_ZONE, …' }),
    reason: t.exposeString('reason'),
    ref: t.string({ nullable: true, resolve: (p) => p.ref ?? null }),
  }),
});

const RecordPlaceRef = builder.objectRef<SourceRecord>('SourceRecordPlace').implement({
  description: 'Where the record said the event is, as geocoded offline.',
  fields: (t) => ({
    text: t.exposeString('placeText', { nullable: true }),
    venueName: t.exposeString('venueName', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    country: t.exposeString('country', { nullable: true }),
    latitude: t.exposeFloat('latitude', { nullable: true }),
    longitude: t.exposeFloat('longitude', { nullable: true }),
    confidence: t.exposeFloat('geoConfidence', { nullable: true, description: '0..1: how sure the geocoding is' }),
  }),
});

export const DuplicateMatchRef = builder.objectRef<DuplicateMatch>('DuplicateMatch');

export const SourceRecordRef = builder.objectRef<SourceRecord>('SourceRecord');

/** A record is seen by whoever may see its source (an organisation's sources are its own data). */
export async function visibleRecord(ctx: IngestContext, record: SourceRecord | null): Promise<SourceRecord | null> {
  if (!record) return null;
  if (isPlatformService(ctx.principal)) return record;
  const source = await ctx.loaders.source.load(record.sourceId);
  return source && canSeeSource(ctx.principal, source) ? record : null;
}

export async function visibleRecords(ctx: IngestContext, records: SourceRecord[]): Promise<SourceRecord[]> {
  const visible = await Promise.all(records.map((r) => visibleRecord(ctx, r)));
  return visible.filter((r): r is SourceRecord => r !== null);
}

SourceRecordRef.implement({
  description: 'One record of a source as last fetched: what it said, and the canonical event it joined.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.field({ type: SourceRef, resolve: async (r, _args, ctx) => (await ctx.loaders.source.load(r.sourceId))! }),
    feedId: t.exposeString('feedId', {
      nullable: true,
      description: "the record's id in its feed: iCal UID, RSS guid, partner id",
    }),
    externalId: t.exposeString('externalId', { description: '`{source}_{type}_{id}_{date}`, one per occurrence' }),
    state: t.field({ type: RecordStateEnum, resolve: (r) => r.state }),
    problems: t.field({
      type: [RecordProblemRef],
      description: 'why it was refused (state INVALID)',
      resolve: (r) => (Array.isArray(r.problems) ? (r.problems as unknown as RecordProblem[]) : []),
    }),
    title: t.exposeString('title', { nullable: true }),
    description: t.exposeString('description', { nullable: true, description: 'sanitised HTML' }),
    startsAt: t.expose('startsAt', { type: 'DateTime', nullable: true }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
    allDay: t.exposeBoolean('allDay'),
    timeZone: t.exposeString('timeZone', { nullable: true }),
    place: t.field({ type: RecordPlaceRef, resolve: (r) => r }),
    url: t.exposeString('url', { nullable: true }),
    imageUrl: t.exposeString('imageUrl', { nullable: true }),
    categories: t.exposeStringList('categories', { description: 'taxonomy slugs' }),
    cancelled: t.exposeBoolean('cancelled', { description: 'the feed says it is cancelled' }),
    raw: t.field({
      type: 'JSONObject',
      description: 'what the record said in its feed, as parsed',
      resolve: (r) => (r.raw ?? {}) as Record<string, unknown>,
    }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
    removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
    canonicalEventId: t.exposeID('canonicalEventId', {
      nullable: true,
      description: 'the canonical (public) event it is part of; also the id of the Event',
    }),
    matches: t.field({
      type: [DuplicateMatchRef],
      description: 'every placement of the record, with the score per field that decided it (latest last)',
      resolve: (r, _args, ctx) => canonicalLoaders(ctx).matchesOfRecord.load(r.id),
    }),
  }),
});

DuplicateMatchRef.implement({
  description: 'Why a record joined a canonical event: the reason and the score per field at the time.',
  fields: (t) => ({
    reason: t.exposeString('reason', {
      description: 'EXTERNAL_ID, URL, SCORE, PINNED (a moderator merge) or NEW (it started the canonical event)',
    }),
    total: t.exposeFloat('total'),
    title: t.exposeFloat('titleScore'),
    time: t.exposeFloat('timeScore'),
    location: t.exposeFloat('locationScore'),
    canonicalEventId: t.exposeID('canonicalEventId'),
    record: t.field({
      type: SourceRecordRef,
      nullable: true,
      resolve: async (m, _args, ctx) => visibleRecord(ctx, await canonicalLoaders(ctx).sourceRecord.load(m.recordId)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SourceRecordConnectionRef = connectionType('SourceRecord', SourceRecordRef);

builder.objectField(SourceRef, 'records', (t) =>
  t.field({
    type: SourceRecordConnectionRef,
    description:
      "its staged records, latest seen first: INVALID ones with their problems are for review (the source's operators and platform staff; empty for others)",
    args: { state: t.arg({ type: RecordStateEnum }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (source, args, ctx) => {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      if (
        !isPlatformService(ctx.principal) &&
        !(source.organizationId && can(ctx.principal, 'integrations.manage', source.organizationId))
      )
        return emptyConnection<SourceRecord>();
      const where = { sourceId: source.id, ...(args.state ? { state: args.state } : {}) };
      const rows = await ctx.db.sourceRecord.findMany({
        where: after ? { AND: [where, afterWhere('lastSeenAt', after, 'desc')] } : where,
        orderBy: [{ lastSeenAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (r) => encodeCursor(r.lastSeenAt, r.id),
        count: () => ctx.db.sourceRecord.count({ where }),
      });
    },
  }),
);
