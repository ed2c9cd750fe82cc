import { badInput, clearLoaders, DomainError, liveEvents, notFound, parseId } from '@eventgraph/runtime';
import type { IngestContext } from '../context';
import { canSeeSource, requireSourceOperator } from '../visibility';
import { visibleSource } from './source';
import { builder } from '../builder';
import { checkFetchRunTransition, type FetchRunStatus } from '../domain/fetch-run';
import type { FetchRun } from '../generated/prisma/client';
import { SourceRef } from './source';

export const FetchRunStatusEnum = builder.enumType('FetchRunStatus', { values: ['RUNNING', 'SUCCEEDED', 'FAILED'] as const });

export const FetchRunRef = builder.objectRef<FetchRun>('FetchRun');

async function visibleFetchRun(ctx: IngestContext, id: string): Promise<FetchRun | null> {
  const run = await ctx.loaders.fetchRun.load(id);
  return run && (await visibleSource(ctx, run.sourceId)) ? run : null;
}

builder.asEntity(FetchRunRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => visibleFetchRun(ctx, id),
});

FetchRunRef.implement({
  description: 'One fetch of a source: when it ran, how it ended, how many records it staged.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({ type: FetchRunStatusEnum, resolve: (r) => r.status }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    itemCount: t.exposeInt('itemCount'),
    error: t.exposeString('error', { nullable: true }),
    source: t.field({ type: SourceRef, resolve: async (r, _args, ctx) => (await ctx.loaders.source.load(r.sourceId))! }),
  }),
});

builder.queryFields((t) => ({
  fetchRun: t.field({
    type: FetchRunRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => visibleFetchRun(ctx, parseId('id', id)),
  }),
}));

const FinishFetchRunInput = builder.inputType('FinishFetchRunInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    status: t.field({ type: FetchRunStatusEnum, required: true }),
    itemCount: t.int({ required: true }),
    error: t.string(),
  }),
});

builder.mutationFields((t) => ({
  startFetchRun: t.field({
    type: FetchRunRef,
    args: { sourceId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const sourceId = parseId('sourceId', args.sourceId);
      const source = await visibleSource(ctx, sourceId);
      if (!source) throw notFound('Source', sourceId);
      requireSourceOperator(ctx.principal, source);
      return ctx.transact(async (tx, announce) => {
        const run = await tx.fetchRun.create({ data: { sourceId } });
        await announce('ingest.run.started', { fetchRunId: run.id, sourceId, organizationId: source.organizationId });
        return run;
      });
    },
  }),
  finishFetchRun: t.field({
    type: FetchRunRef,
    args: { input: t.arg({ type: FinishFetchRunInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const id = parseId('id', input.id);
      if (!Number.isInteger(input.itemCount) || input.itemCount < 0) throw badInput('itemCount', 'must be 0 or more');
      return ctx.transact(async (tx, announce) => {
        const run = await tx.fetchRun.findUnique({ where: { id }, include: { source: true } });
        if (!run || !canSeeSource(ctx.principal, run.source)) throw notFound('FetchRun', id);
        requireSourceOperator(ctx.principal, run.source);
        const check = checkFetchRunTransition(run.status as FetchRunStatus, input.status);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: run.status, to: input.status });
        const finished = await tx.fetchRun.update({
          where: { id },
          data: { status: input.status, itemCount: input.itemCount, error: input.error ?? null, finishedAt: new Date() },
        });
        await announce('ingest.run.finished', {
          fetchRunId: id,
          sourceId: run.sourceId,
          organizationId: run.source.organizationId,
          status: input.status,
          itemCount: input.itemCount,
        });
        return finished;
      });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  fetchRunFinished: t.field({
    type: FetchRunRef,
    args: { sourceId: t.arg.id() },
    subscribe: (_root, args, ctx) => {
      const sourceId = args.sourceId ? parseId('sourceId', args.sourceId) : undefined;
      return liveEvents(
        ctx.bus,
        'ingest.run.finished',
        (e) =>
          (!sourceId || e.payload.sourceId === sourceId) &&
          canSeeSource(ctx.principal, { organizationId: (e.payload.organizationId as string | null) ?? null }),
      );
    },
    resolve: async (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      const run = await ctx.loaders.fetchRun.load(busEvent.payload.fetchRunId as string);
      if (!run) throw notFound('FetchRun', busEvent.payload.fetchRunId as string);
      return run;
    },
  }),
}));
