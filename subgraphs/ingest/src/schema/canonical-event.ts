import {
  afterWhere,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  isPlatformService,
  pageOf,
  pageSize,
  parseId,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { canonicalLoaders } from '../canonical/loaders';
import type { IngestContext } from '../context';
import type { CanonicalEvent, ModerationDecision } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { DuplicateMatchRef, SourceRecordRef, visibleRecords } from './source-record';

export const ModerationStateEnum = builder.enumType('ModerationState', {
  values: ['PENDING', 'APPROVED', 'REJECTED', 'FLAGGED'] as const,
});

/** Moderation is the platform's: canonical events, their scores and decisions are for platform staff. */
export function requireModerator(ctx: IngestContext): void {
  if (!isPlatformService(ctx.principal))
    throw new DomainError(ErrorCode.FORBIDDEN, 'only platform staff moderate canonical events');
}

const CanonicalPlaceRef = builder.objectRef<CanonicalEvent>('CanonicalPlace').implement({
  fields: (t) => ({
    text: t.exposeString('placeText', { nullable: true }),
    venueName: t.exposeString('venueName', { nullable: true }),
    city: t.exposeString('city', { nullable: true }),
    country: t.exposeString('country', { nullable: true }),
    latitude: t.exposeFloat('latitude', { nullable: true }),
    longitude: t.exposeFloat('longitude', { nullable: true }),
  }),
});

const QualityRef = builder.objectRef<CanonicalEvent>('CanonicalQuality').implement({
  description: 'How complete and trustworthy the canonical event looks; feeds the auto-approval rules.',
  fields: (t) => ({
    score: t.exposeFloat('qualityScore', { description: '0..1' }),
    signals: t.exposeStringList('qualitySignals', { description: 'what raised or lowered it, e.g. SHOUTING_TITLE' }),
  }),
});

const ModerationDecisionRef = builder.objectRef<ModerationDecision>('ModerationDecision').implement({
  description: 'A moderation state change: who (a person, or a rule on arrival), when, why.',
  fields: (t) => ({
    state: t.field({ type: ModerationStateEnum, resolve: (d) => d.state }),
    note: t.exposeString('note', { nullable: true }),
    actorId: t.exposeID('actorId', { nullable: true }),
    actorKind: t.exposeString('actorKind', { description: 'RULE, USER or SERVICE' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const CanonicalEventRef = builder.objectRef<CanonicalEvent>('CanonicalEvent').implement({
  description: 'A deduplicated event: the surviving fields of its source records. Published to `events` once approved.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'also the id of the public Event once published' }),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
    allDay: t.exposeBoolean('allDay'),
    timeZone: t.exposeString('timeZone', { nullable: true }),
    place: t.field({ type: CanonicalPlaceRef, resolve: (c) => c }),
    url: t.exposeString('url', { nullable: true }),
    imageUrl: t.exposeString('imageUrl', { nullable: true }),
    categories: t.exposeStringList('categories'),
    cancelled: t.exposeBoolean('cancelled'),
    sourceCount: t.exposeInt('sourceCount', { description: 'distinct sources with a live record in it' }),
    moderation: t.field({ type: ModerationStateEnum, resolve: (c) => c.moderation }),
    quality: t.field({ type: QualityRef, resolve: (c) => c }),
    version: t.exposeInt('version', { description: 'bumped on every change announced to events' }),
    publishedVersion: t.exposeInt('publishedVersion', { nullable: true, description: 'null while never published' }),
    records: t.field({
      type: [SourceRecordRef],
      description: 'its source records (live and removed), oldest first',
      resolve: async (c, _args, ctx) => visibleRecords(ctx, await canonicalLoaders(ctx).recordsOfCanonical.load(c.id)),
    }),
    matches: t.field({
      type: [DuplicateMatchRef],
      description: 'why each record joined: the score per field',
      resolve: (c, _args, ctx) => canonicalLoaders(ctx).matchesOfCanonical.load(c.id),
    }),
    decisions: t.field({
      type: [ModerationDecisionRef],
      resolve: (c, _args, ctx) => canonicalLoaders(ctx).decisionsOfCanonical.load(c.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const CanonicalConnectionRef = connectionType('CanonicalEvent', CanonicalEventRef);

builder.queryFields((t) => ({
  canonicalEvent: t.field({
    type: CanonicalEventRef,
    nullable: true,
    description: 'A canonical event with its records, match explanations and moderation (platform staff).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => {
      requireModerator(ctx);
      return canonicalLoaders(ctx).canonicalEvent.load(parseId('id', id));
    },
  }),
  canonicalEvents: t.field({
    type: CanonicalConnectionRef,
    description: 'The moderation queue: canonical events in one state (all when omitted), oldest first (platform staff).',
    args: {
      moderation: t.arg({ type: ModerationStateEnum }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      requireModerator(ctx);
      const first = pageSize(args.first);
      const where = args.moderation ? { moderation: args.moderation } : {};
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const rows = await ctx.db.canonicalEvent.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after)] } : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (c) => encodeCursor(c.createdAt, c.id),
        count: () => ctx.db.canonicalEvent.count({ where }),
      });
    },
  }),
}));
