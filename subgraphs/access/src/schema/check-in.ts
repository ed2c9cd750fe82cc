import {
  badInput,
  can,
  CHECKS_OWN_TEXT,
  clearLoaders,
  afterWhere,
  decodeCursor,
  emptyConnection,
  encodeCursor,
  liveEvents,
  notFound,
  pageOf,
  pageSize,
  parseId,
  requireAuthenticated,
  requireText,
  storableText,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import { recordScan, verifyScan, type Scan } from '../check-in/scan';
import { DENIAL_REASONS, isWristbandId, type DenialReason } from '../domain/check-in';
import { MAX_NFC_ID } from '../domain/import-rows';
import { CLOCK_SKEW_MS, conflictsWithAnotherScan, inTimeOrder, MAX_OFFLINE_BATCH, offlineOutcome } from '../domain/offline-scans';
import type { CheckIn } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { GateRef } from './gate';
import { EventSeriesRef, readableSeries } from './series';
import { WristbandRef, WristbandStatusEnum } from './wristband';

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

const reasonOf = (c: CheckIn) => c.reason as DenialReason | null;

CheckInRef.implement({
  description: 'One scan at a gate, allowed or denied; every scan is kept.',
  fields: (t) => ({
    id: t.exposeID('id'),
    nfcId: t.exposeString('nfcId'),
    direction: t.field({ type: ScanDirectionEnum, resolve: (c) => c.direction }),
    allowed: t.exposeBoolean('allowed'),
    reason: t.field({ type: DenialReasonEnum, nullable: true, resolve: reasonOf }),
    message: t.string({
      nullable: true,
      description: 'the denial, said for people',
      resolve: (c) => c.reason && DENIAL_REASONS[reasonOf(c)!],
    }),
    wristbandStatus: t.field({
      type: WristbandStatusEnum,
      nullable: true,
      description: 'for WRISTBAND_NOT_ACTIVE: the status the wristband had',
      resolve: (c) => c.wristbandStatus,
    }),
    category: t.exposeString('category', { nullable: true }),
    scanId: t.exposeString('scanId', { nullable: true }),
    offline: t.exposeBoolean('offline', { description: 'made while the scanner was offline, uploaded later' }),
    scannerKind: t.exposeString('scannerKind', { description: 'device, user or apiKey' }),
    scannerId: t.exposeString('scannerId', { description: 'the id of the device, user or API key that scanned' }),
    scannedAt: t.expose('scannedAt', { type: 'DateTime', description: 'when the scan happened at the gate' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'when the server recorded it' }),
    gate: t.field({ type: GateRef, resolve: async (c, _args, ctx) => (await ctx.loaders.gate.load(c.gateId))! }),
    series: t.field({ type: EventSeriesRef, resolve: async (c, _args, ctx) => (await ctx.loaders.series.load(c.seriesId))! }),
    wristband: t.field({
      type: WristbandRef,
      nullable: true,
      resolve: (c, _args, ctx) => (c.wristbandId ? ctx.loaders.wristband.load(c.wristbandId) : null),
    }),
  }),
});

// a garbled read is a scan like any other: denied INVALID_WRISTBAND_ID and logged, not refused
const NFC_ID_DESCRIPTION = 'the id read from the wristband; one no wristband can have is denied INVALID_WRISTBAND_ID';

const CheckInInput = builder.inputType('CheckInInput', {
  fields: (t) => ({
    seriesId: t.id({ required: true }),
    gateId: t.id({ required: true }),
    nfcId: t.string({ required: true, extensions: CHECKS_OWN_TEXT, description: NFC_ID_DESCRIPTION }),
    direction: t.field({ type: ScanDirectionEnum, required: true, defaultValue: 'ENTRY' }),
    scanId: t.string({
      required: false,
      description: "the scanner's own id for this scan (e.g. a UUID): sending it again returns the first answer, counted once",
    }),
  }),
});

const OfflineScanInput = builder.inputType('OfflineScanInput', {
  fields: (t) => ({
    scanId: t.string({ required: true, description: "the device's id for the scan; uploads are idempotent by it" }),
    seriesId: t.id({ required: true }),
    gateId: t.id({ required: true }),
    nfcId: t.string({ required: true, extensions: CHECKS_OWN_TEXT, description: NFC_ID_DESCRIPTION }),
    direction: t.field({ type: ScanDirectionEnum, required: true }),
    scannedAt: t.field({ type: 'DateTime', required: true, description: 'when the scan happened, by the device clock' }),
  }),
});

interface ScanArgs {
  seriesId: string | number;
  gateId: string | number;
  nfcId: string;
  direction: 'ENTRY' | 'EXIT';
  scanId?: string | null;
}

function parseScan(input: ScanArgs, scannedAt: Date, offline: boolean, prefix = ''): Scan {
  const nfcId = input.nfcId.trim();
  const nfcIdValid = isWristbandId(nfcId);
  return {
    seriesId: parseId(`${prefix}seriesId`, input.seriesId),
    gateId: parseId(`${prefix}gateId`, input.gateId),
    // what cannot be stored is logged as U+FFFD, cut to the longest id a wristband may have
    nfcId: nfcIdValid ? nfcId : storableText(nfcId.slice(0, MAX_NFC_ID)),
    nfcIdValid,
    direction: input.direction,
    scannedAt,
    offline,
    scanId: input.scanId ? requireText(`${prefix}scanId`, input.scanId, 100) : undefined,
  };
}

const AccessDecisionRef = builder.objectRef<Awaited<ReturnType<typeof verifyScan>>>('AccessDecision').implement({
  description: 'What a scan would be answered now; nothing is recorded.',
  fields: (t) => ({
    allowed: t.boolean({ resolve: (v) => v.decision.allowed }),
    reason: t.field({ type: DenialReasonEnum, nullable: true, resolve: (v) => (v.decision.allowed ? null : v.decision.reason) }),
    message: t.string({ nullable: true, resolve: (v) => (v.decision.allowed ? null : v.decision.message) }),
    wristbandStatus: t.field({
      type: WristbandStatusEnum,
      nullable: true,
      resolve: (v) => (!v.decision.allowed && v.decision.reason === 'WRISTBAND_NOT_ACTIVE' ? v.wristband!.status : null),
    }),
    wristband: t.field({
      type: WristbandRef,
      nullable: true,
      resolve: (v, _args, ctx) => (v.wristband ? ctx.loaders.wristband.load(v.wristband.id) : null),
    }),
  }),
});

const OfflineOutcomeEnum = builder.enumType('OfflineScanOutcome', {
  values: {
    APPLIED: { description: 'recorded and counted as the server decided it (allowed)' },
    DUPLICATE: { description: 'uploaded before: the first answer, nothing counted again' },
    CONFLICT: { description: 'the server denies what the device admitted offline; logged, not counted' },
  },
});

interface OfflineScanResult {
  scanId: string;
  outcome: 'APPLIED' | 'DUPLICATE' | 'CONFLICT';
  checkIn: CheckIn;
  conflictingCheckInId: string | null;
}

const OfflineScanResultRef = builder.objectRef<OfflineScanResult>('OfflineScanResult').implement({
  fields: (t) => ({
    scanId: t.exposeString('scanId'),
    outcome: t.field({ type: OfflineOutcomeEnum, resolve: (r) => r.outcome }),
    checkIn: t.field({ type: CheckInRef, resolve: (r) => r.checkIn }),
    conflictsWith: t.field({
      type: CheckInRef,
      nullable: true,
      description: 'for a CONFLICT caused by another scan of the wristband (e.g. admitted at another gate): that scan',
      resolve: (r, _args, ctx) => (r.conflictingCheckInId ? ctx.loaders.checkIn.load(r.conflictingCheckInId) : null),
    }),
  }),
});

const CheckInConnectionRef = connectionType('CheckIn', CheckInRef);

builder.queryFields((t) => ({
  verifyAccess: t.field({
    type: AccessDecisionRef,
    description: 'Would this wristband be let through at this gate now? The same rules as checkIn, with no side effect.',
    args: { input: t.arg({ type: CheckInInput, required: true }) },
    resolve: (_root, { input }, ctx) => verifyScan(ctx.sql, ctx.principal, parseScan(input, new Date(), false)),
  }),
  checkIns: t.field({
    type: CheckInConnectionRef,
    description: 'The scan log of a series (optionally of one gate), newest first; empty unless the caller may read check-ins.',
    args: {
      seriesId: t.arg.id({ required: true }),
      gateId: t.arg.id(),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const series = await readableSeries(ctx, parseId('seriesId', args.seriesId));
      if (!series || !can(ctx.principal, 'checkins.read', series.organizationId)) return emptyConnection<CheckIn>();
      const where = { seriesId: series.id, ...(args.gateId ? { gateId: parseId('gateId', args.gateId) } : {}) };
      const rows = await ctx.db.checkIn.findMany({
        where: after ? { AND: [where, afterWhere('scannedAt', after, 'desc')] } : where,
        orderBy: [{ scannedAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (c) => encodeCursor(c.scannedAt, c.id),
        count: () => ctx.db.checkIn.count({ where }),
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  checkIn: t.field({
    type: CheckInRef,
    description:
      'Scans a wristband at a gate; the answer is allowed, or denied with a reason. Every scan is logged; with a scanId, retries are answered once.',
    args: { input: t.arg({ type: CheckInInput, required: true }) },
    resolve: async (_root, { input }, ctx) => (await recordScan(ctx, parseScan(input, new Date(), false))).checkIn,
  }),
  uploadOfflineScans: t.field({
    type: [OfflineScanResultRef],
    description:
      'Scans a device made while offline, with their original times. They are applied in time order; each gets a result; an upload repeated is never counted twice.',
    args: { scans: t.arg({ type: [OfflineScanInput], required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (args.scans.length > MAX_OFFLINE_BATCH)
        throw badInput('scans', `at most ${MAX_OFFLINE_BATCH} scans per upload; send the rest in another`);
      const latest = Date.now() + CLOCK_SKEW_MS;
      const scans = args.scans.map((input, i) => {
        if (input.scannedAt.getTime() > latest) throw badInput(`scans[${i}].scannedAt`, 'is in the future');
        return parseScan(input, input.scannedAt, true, `scans[${i}].`);
      });
      const results: OfflineScanResult[] = [];
      // one at a time, in the order they happened: each scan's decision depends on the ones before
      for (const scan of inTimeOrder(scans as Array<Scan & { scanId: string }>)) {
        const { checkIn, duplicate, previousCheckInId } = await recordScan(ctx, scan);
        const reason = reasonOf(checkIn);
        results.push({
          scanId: scan.scanId,
          outcome: offlineOutcome(checkIn.allowed, duplicate),
          checkIn,
          conflictingCheckInId: !duplicate && reason && conflictsWithAnotherScan(reason) ? previousCheckInId : null,
        });
      }
      return results;
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
