import {
  badInput,
  can,
  clearLoaders,
  liveEvents,
  notFound,
  parseId,
  requireAuthenticated,
  requirePermission,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { decideCheckIn, DENIAL_REASONS, type Direction } from '../domain/check-in';
import type { CheckIn } from '../generated/prisma/client';
import type { AccessTx } from '../context';
import { GateRef } from './gate';
import { EventSeriesRef } from './series';
import { WristbandRef } from './wristband';

export const ScanDirectionEnum = builder.enumType('ScanDirection', { values: ['ENTRY', 'EXIT'] as const });

export const DenialReasonEnum = builder.enumType('CheckInDenialReason', {
  values: Object.fromEntries(Object.entries(DENIAL_REASONS).map(([reason, description]) => [reason, { description }])) as {
    [K in keyof typeof DENIAL_REASONS]: { description: string };
  },
});

export const CheckInRef = builder.objectRef<CheckIn>('CheckIn');

builder.asEntity(CheckInRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, ctx) => {
    const checkIn = await ctx.loaders.checkIn.load(id);
    return checkIn && can(ctx.principal, 'checkins.read', checkIn.organizationId) ? checkIn : null;
  },
});

CheckInRef.implement({
  description: 'One scan at a gate, allowed or denied; every scan is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    nfcId: t.exposeString('nfcId'),
    direction: t.field({ type: ScanDirectionEnum, resolve: (c) => c.direction }),
    allowed: t.exposeBoolean('allowed'),
    reason: t.field({ type: DenialReasonEnum, nullable: true, resolve: (c) => c.reason as keyof typeof DENIAL_REASONS | null }),
    scannedAt: t.expose('scannedAt', { type: 'DateTime' }),
    gate: t.field({ type: GateRef, resolve: async (c, _args, ctx) => (await ctx.loaders.gate.load(c.gateId))! }),
    series: t.field({ type: EventSeriesRef, resolve: async (c, _args, ctx) => (await ctx.loaders.series.load(c.seriesId))! }),
    wristband: t.field({
      type: WristbandRef,
      nullable: true,
      resolve: (c, _args, ctx) => (c.wristbandId ? ctx.loaders.wristband.load(c.wristbandId) : null),
    }),
  }),
});

const CheckInInput = builder.inputType('CheckInInput', {
  fields: (t) => ({
    seriesId: t.id({ required: true }),
    gateId: t.id({ required: true }),
    nfcId: t.string({ required: true }),
    direction: t.field({ type: ScanDirectionEnum, required: true, defaultValue: 'ENTRY' }),
  }),
});

/**
 * Gathers the facts for one scan. The series row is locked first so that
 * concurrent scans of one series are decided one after another and capacity
 * cannot be exceeded.
 */
async function scanFacts(
  tx: AccessTx,
  principal: Principal,
  seriesId: string,
  gateId: string,
  nfcId: string,
  direction: Direction,
) {
  await tx.$queryRawUnsafe('SELECT 1 FROM "EventSeries" WHERE "id" = $1::uuid FOR UPDATE', seriesId);
  const series = await tx.eventSeries.findUnique({ where: { id: seriesId } });
  if (!series || !can(principal, 'organization.read', series.organizationId)) throw notFound('EventSeries', seriesId);
  requirePermission(principal, 'checkins.scan', series.organizationId);
  const gate = await tx.gate.findUnique({ where: { id: gateId } });
  if (!gate || gate.organizationId !== series.organizationId) throw notFound('Gate', gateId);
  const wristband = await tx.wristband.findUnique({ where: { eventId_nfcId: { eventId: series.eventId, nfcId } } });
  // one after another: a transaction is one connection, which runs one statement at a time anyway
  const assignment = wristband
    ? await tx.wristbandAssignment.findUnique({ where: { wristbandId_seriesId: { wristbandId: wristband.id, seriesId } } })
    : null;
  const gateLink = await tx.seriesGate.findUnique({ where: { seriesId_gateId: { seriesId, gateId } } });
  const lastAllowed = wristband
    ? await tx.checkIn.findFirst({
        where: { wristbandId: wristband.id, seriesId, allowed: true },
        orderBy: { scannedAt: 'desc' },
      })
    : null;
  const entries = await tx.checkIn.count({ where: { seriesId, allowed: true, direction: 'ENTRY' } });
  const exits = await tx.checkIn.count({ where: { seriesId, allowed: true, direction: 'EXIT' } });
  return {
    series,
    gate,
    wristband,
    facts: {
      direction,
      deviceAllowed: principal.kind !== 'device' || (principal.gateIds ?? []).includes(gateId),
      wristband,
      series,
      gate,
      wristbandAssigned: Boolean(assignment),
      gateAssigned: Boolean(gateLink),
      inside: lastAllowed?.direction === 'ENTRY',
      insideCount: entries - exits,
    },
  };
}

builder.mutationFields((t) => ({
  checkIn: t.field({
    type: CheckInRef,
    description: 'Scans a wristband at a gate; the answer is allowed, or denied with a reason. Every scan is logged.',
    args: { input: t.arg({ type: CheckInInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const seriesId = parseId('seriesId', input.seriesId);
      const gateId = parseId('gateId', input.gateId);
      const nfcId = requireText('nfcId', input.nfcId, 64);
      return ctx.transact(async (tx, announce) => {
        const { series, gate, wristband, facts } = await scanFacts(tx, ctx.principal, seriesId, gateId, nfcId, input.direction);
        const decision = decideCheckIn(facts);
        const checkIn = await tx.checkIn.create({
          data: {
            organizationId: series.organizationId,
            seriesId,
            gateId: gate.id,
            wristbandId: wristband?.id ?? null,
            nfcId,
            direction: input.direction,
            allowed: decision.allowed,
            reason: decision.allowed ? null : decision.reason,
          },
        });
        await announce('checkin.recorded', {
          checkInId: checkIn.id,
          seriesId,
          gateId,
          organizationId: series.organizationId,
          allowed: decision.allowed,
        });
        return checkIn;
      });
    },
  }),
}));

builder.subscriptionFields((t) => ({
  checkInRecorded: t.field({
    type: CheckInRef,
    description: 'Every scan of a series, or of one gate, as it happens.',
    args: { seriesId: t.arg.id(), gateId: t.arg.id() },
    subscribe: (_root, args, ctx) => {
      const seriesId = args.seriesId ? parseId('seriesId', args.seriesId) : undefined;
      const gateId = args.gateId ? parseId('gateId', args.gateId) : undefined;
      if (!seriesId && !gateId) throw badInput('seriesId', 'give seriesId or gateId');
      requireAuthenticated(ctx.principal);
      // every delivered scan is checked against the subscriber's rights, so nothing of another organisation leaks
      return liveEvents(
        ctx.bus,
        'checkin.recorded',
        (e) =>
          (!seriesId || e.payload.seriesId === seriesId) &&
          (!gateId || e.payload.gateId === gateId) &&
          can(ctx.principal, 'checkins.read', e.payload.organizationId as string),
      );
    },
    resolve: async (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      const checkIn = await ctx.loaders.checkIn.load(busEvent.payload.checkInId as string);
      if (!checkIn) throw notFound('CheckIn', busEvent.payload.checkInId as string);
      return checkIn;
    },
  }),
}));
