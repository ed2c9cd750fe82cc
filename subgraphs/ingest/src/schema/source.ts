import {
  badInput,
  isPlatformService,
  notFound,
  parseId,
  readableOrganizations,
  requirePermission,
  requireText,
  DomainError,
  ErrorCode,
} from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { readableEvent } from '../known-events';
import { canSeeSource, requireSourceOperator } from '../visibility';
import { builder } from '../builder';
import { isFetchableUrl } from '../domain/fetch-run';
import type { Source } from '../generated/prisma/client';

export const SourceKindEnum = builder.enumType('SourceKind', { values: ['ICAL', 'RSS', 'JSON', 'CSV'] as const });

export const SourceRef = builder.objectRef<Source>('Source');

export async function visibleSource(ctx: IngestContext, id: string): Promise<Source | null> {
  const source = await ctx.loaders.source.load(id);
  return source && canSeeSource(ctx.principal, source) ? source : null;
}

builder.asEntity(SourceRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => visibleSource(ctx, id),
});

SourceRef.implement({
  description: 'A feed events are aggregated from (iCal, RSS, partner JSON or CSV).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.field({ type: SourceKindEnum, resolve: (s) => s.kind }),
    url: t.exposeString('url'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  source: t.field({
    type: SourceRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => visibleSource(ctx, parseId('id', id)),
  }),
  sources: t.field({
    type: [SourceRef],
    description: 'platform-wide sources and those of organisations the caller may read',
    resolve: (_root, _args, ctx) => {
      const readable = readableOrganizations(ctx.principal);
      const where = readable === 'all' ? {} : { OR: [{ organizationId: null }, { organizationId: { in: readable } }] };
      return ctx.db.source.findMany({ where, orderBy: { createdAt: 'asc' }, take: 100 });
    },
  }),
}));

const CreateSourceInput = builder.inputType('CreateSourceInput', {
  fields: (t) => ({
    organizationId: t.id({ description: 'the organisation that registered the source, if any' }),
    name: t.string({ required: true }),
    kind: t.field({ type: SourceKindEnum, required: true }),
    url: t.string({ required: true }),
  }),
});

const AttributeEventInput = builder.inputType('AttributeEventInput', {
  fields: (t) => ({
    sourceId: t.id({ required: true }),
    eventId: t.id({ required: true }),
    externalId: t.string({ required: true, description: "the record's id in the source (an iCal UID, an RSS guid)" }),
  }),
});

builder.mutationFields((t) => ({
  createSource: t.field({
    type: SourceRef,
    args: { input: t.arg({ type: CreateSourceInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      if (!isFetchableUrl(input.url)) throw badInput('url', 'must be an http(s) URL');
      const organizationId = input.organizationId ? parseId('organizationId', input.organizationId) : null;
      if (organizationId) requirePermission(ctx.principal, 'integrations.manage', organizationId);
      else if (!isPlatformService(ctx.principal))
        throw new DomainError(ErrorCode.FORBIDDEN, 'platform-wide sources are registered by the platform; give organizationId');
      const data = {
        organizationId,
        name: requireText('name', input.name),
        kind: input.kind,
        url: input.url,
      };
      return ctx.transact(async (tx, announce) => {
        const source = await tx.source.create({ data });
        await announce('source.created', { sourceId: source.id });
        return source;
      });
    },
  }),
  attributeEvent: t.field({
    type: SourceRef,
    description:
      'Records that a canonical event came from a record of this source; the event must be one the caller may read (NOT_FOUND otherwise).',
    args: { input: t.arg({ type: AttributeEventInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const sourceId = parseId('sourceId', input.sourceId);
      const eventId = parseId('eventId', input.eventId);
      const externalId = requireText('externalId', input.externalId, 500);
      const source = await visibleSource(ctx, sourceId);
      if (!source) throw notFound('Source', sourceId);
      requireSourceOperator(ctx.principal, source);
      // an event the caller may not read is as unknown as one that does not exist
      await readableEvent(ctx, eventId);
      await ctx.db.sourceEvent.upsert({
        where: { sourceId_externalId: { sourceId, externalId } },
        create: { sourceId, eventId, externalId },
        update: { eventId },
      });
      return source;
    },
  }),
}));
