import { can, DomainError, notFound, parseId, requirePermission, requireText } from '@eventgraph/runtime';
import { knownEvent } from '../known-events';
import { builder } from '../builder';
import type { Wristband } from '../generated/prisma/client';
import { EventRef } from './event';
import { EventSeriesRef } from './series';

export const WristbandStatusEnum = builder.enumType('WristbandStatus', {
  values: ['ACTIVE', 'SUSPENDED', 'LOST', 'REVOKED', 'REPLACED'] as const,
});

export const WristbandRef = builder.objectRef<Wristband>('Wristband');

builder.asEntity(WristbandRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const wristband = await ctx.loaders.wristband.load(id);
    return wristband && can(ctx.principal, 'organization.read', wristband.organizationId) ? wristband : null;
  },
});

WristbandRef.implement({
  description: 'An NFC wristband admitting its wearer to the series it is assigned to.',
  fields: (t) => ({
    id: t.exposeID('id'),
    nfcId: t.exposeString('nfcId'),
    category: t.exposeString('category'),
    status: t.field({ type: WristbandStatusEnum, resolve: (w) => w.status }),
    event: t.field({ type: EventRef, nullable: true, resolve: (w) => ({ id: w.eventId }) }),
  }),
});

const CreateWristbandInput = builder.inputType('CreateWristbandInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    nfcId: t.string({ required: true }),
    category: t.string({ required: true, description: 'e.g. GA, VIP, CREW' }),
    seriesIds: t.idList({ required: false, description: 'series the wristband admits to' }),
  }),
});

builder.mutationFields((t) => ({
  createWristband: t.field({
    type: WristbandRef,
    args: { input: t.arg({ type: CreateWristbandInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { eventId, organizationId } = await knownEvent(ctx.db, parseId('eventId', input.eventId));
      requirePermission(ctx.principal, 'wristbands.assign', organizationId);
      const seriesIds = (input.seriesIds ?? []).map((id, i) => parseId(`seriesIds[${i}]`, id));
      const series = await ctx.db.eventSeries.findMany({ where: { id: { in: seriesIds } } });
      for (const seriesId of seriesIds) {
        const found = series.find((s) => s.id === seriesId);
        if (!found) throw notFound('EventSeries', seriesId);
        if (found.eventId !== eventId)
          throw new DomainError('SERIES_OF_OTHER_EVENT', `series ${seriesId} belongs to another event`, { field: 'seriesIds' });
      }
      const data = {
        organizationId,
        eventId,
        nfcId: requireText('nfcId', input.nfcId, 64),
        category: requireText('category', input.category, 40).toUpperCase(),
        assignments: { create: seriesIds.map((seriesId) => ({ seriesId })) },
      };
      return ctx.transact(async (tx, announce) => {
        const wristband = await tx.wristband.create({ data });
        await announce('wristband.created', { wristbandId: wristband.id, eventId, organizationId: wristband.organizationId });
        return wristband;
      });
    },
  }),
  assignWristband: t.field({
    type: EventSeriesRef,
    args: { wristbandId: t.arg.id({ required: true }), seriesId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const wristbandId = parseId('wristbandId', args.wristbandId);
      const seriesId = parseId('seriesId', args.seriesId);
      const [wristband, series] = await Promise.all([ctx.loaders.wristband.load(wristbandId), ctx.loaders.series.load(seriesId)]);
      if (!wristband || !can(ctx.principal, 'organization.read', wristband.organizationId))
        throw notFound('Wristband', wristbandId);
      if (!series || series.organizationId !== wristband.organizationId) throw notFound('EventSeries', seriesId);
      requirePermission(ctx.principal, 'wristbands.assign', wristband.organizationId);
      if (series.eventId !== wristband.eventId)
        throw new DomainError('SERIES_OF_OTHER_EVENT', `series ${seriesId} belongs to another event`);
      await ctx.db.wristbandAssignment.upsert({
        where: { wristbandId_seriesId: { wristbandId, seriesId } },
        create: { wristbandId, seriesId },
        update: {},
      });
      return series;
    },
  }),
}));
