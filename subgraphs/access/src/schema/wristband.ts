import {
  can,
  DomainError,
  decodeCursor,
  encodeCursor,
  notFound,
  pageOf,
  pageSize,
  parseId,
  requirePermission,
  requireText,
  type Principal,
} from '@eventgraph/runtime';
import type { AccessContext, AccessTx } from '../context';
import { eventToChange } from '../known-events';
import { builder } from '../builder';
import { MAX_CATEGORY, MAX_NFC_ID } from '../domain/import-rows';
import {
  checkWristbandReplacement,
  checkWristbandStatusChange,
  WRISTBAND_STATUSES,
  type WristbandStatus,
} from '../domain/wristband-lifecycle';
import type { Wristband, WristbandStatusChange } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './event';
import { EventSeriesRef } from './series';
import { TicketRef } from './ticket';

export const WristbandStatusEnum = builder.enumType('WristbandStatus', { values: WRISTBAND_STATUSES });

export const WristbandRef = builder.objectRef<Wristband>('Wristband');

/** A wristband the caller may read, or null: another organisation's wristbands do not exist for them. */
export async function readableWristband(ctx: AccessContext, id: string): Promise<Wristband | null> {
  const wristband = await ctx.loaders.wristband.load(id);
  return wristband && can(ctx.principal, 'organization.read', wristband.organizationId) ? wristband : null;
}

/** The event's organisation if the caller may read it; null otherwise (and for events access never heard of). */
export async function readableEventOrganization(ctx: AccessContext, eventId: string): Promise<string | null> {
  const event = await ctx.db.knownEvent.findUnique({ where: { eventId } });
  return event && can(ctx.principal, 'organization.read', event.organizationId) ? event.organizationId : null;
}

builder.asEntity(WristbandRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => readableWristband(ctx, id),
});

const StatusChangeRef = builder.objectRef<WristbandStatusChange>('WristbandStatusChange').implement({
  description: 'One status change of a wristband: who, when, from, to and why.',
  fields: (t) => ({
    from: t.field({ type: WristbandStatusEnum, resolve: (c) => c.fromStatus }),
    to: t.field({ type: WristbandStatusEnum, resolve: (c) => c.toStatus }),
    actorKind: t.exposeString('actorKind', { description: 'user, apiKey, device or service' }),
    actorId: t.exposeString('actorId', { nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

WristbandRef.implement({
  description: 'An NFC wristband admitting its wearer to the series it is assigned to.',
  fields: (t) => ({
    id: t.exposeID('id'),
    nfcId: t.exposeString('nfcId'),
    category: t.exposeString('category'),
    status: t.field({ type: WristbandStatusEnum, resolve: (w) => w.status }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    event: t.field({ type: EventRef, nullable: true, resolve: (w) => ({ id: w.eventId }) }),
    statusHistory: t.field({
      type: [StatusChangeRef],
      description: 'every status change, oldest first (a replacement shows as the change to REPLACED)',
      resolve: (w, _args, ctx) => ctx.loaders.statusChangesOfWristband.load(w.id),
    }),
    replaces: t.field({
      type: WristbandRef,
      nullable: true,
      description: 'the wristband this one replaced (lost, damaged, …), with its own history',
      resolve: (w, _args, ctx) => (w.replacesId ? ctx.loaders.wristband.load(w.replacesId) : null),
    }),
    replacedBy: t.field({
      type: WristbandRef,
      nullable: true,
      resolve: async (w, _args, ctx) => (await ctx.loaders.replacementOf.load(w.id))[0] ?? null,
    }),
    assignedSeries: t.field({
      type: [EventSeriesRef],
      description: 'the series this wristband admits to',
      resolve: async (w, _args, ctx) =>
        (await ctx.loaders.seriesOfWristband.load(w.id)).sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime()),
    }),
    tickets: t.field({
      type: [TicketRef],
      description: 'the imported tickets linked to this wristband',
      resolve: (w, _args, ctx) => ctx.loaders.ticketsOfWristband.load(w.id),
    }),
  }),
});

const WristbandConnectionRef = connectionType('Wristband', WristbandRef);

builder.queryFields((t) => ({
  wristband: t.field({
    type: WristbandRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableWristband(ctx, parseId('id', id)),
  }),
  wristbandByNfcId: t.field({
    type: WristbandRef,
    nullable: true,
    description: 'The wristband with this nfc id at this event (null if there is none the caller may read).',
    args: { eventId: t.arg.id({ required: true }), nfcId: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const eventId = parseId('eventId', args.eventId);
      const wristband = await ctx.db.wristband.findUnique({ where: { eventId_nfcId: { eventId, nfcId: args.nfcId.trim() } } });
      return wristband && can(ctx.principal, 'organization.read', wristband.organizationId) ? wristband : null;
    },
  }),
  wristbands: t.field({
    type: WristbandConnectionRef,
    nullable: true,
    description: "An event's wristbands ordered by nfc id; null unless the caller may read the event's organisation.",
    args: {
      eventId: t.arg.id({ required: true }),
      ...pageArgs(t.arg),
      status: t.arg({ type: WristbandStatusEnum }),
      category: t.arg.string(),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const eventId = parseId('eventId', args.eventId);
      const first = pageSize(args.first);
      // nfc ids are unique within an event: the key alone orders the list
      const after = args.after != null ? decodeCursor(args.after, 'text') : null;
      if (!(await readableEventOrganization(ctx, eventId))) return null;
      const where = {
        eventId,
        ...(args.status ? { status: args.status } : {}),
        ...(args.category ? { category: args.category.trim().toUpperCase() } : {}),
      };
      const rows = await ctx.db.wristband.findMany({
        where: after ? { ...where, nfcId: { gt: after.key } } : where,
        orderBy: { nfcId: 'asc' },
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (w) => encodeCursor(w.nfcId, w.id),
        count: () => ctx.db.wristband.count({ where }),
      });
    },
  }),
}));

// ---------------------------------------------------------------- changes

const CreateWristbandInput = builder.inputType('CreateWristbandInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    nfcId: t.string({ required: true }),
    category: t.string({ required: true, description: 'e.g. GA, VIP, CREW' }),
    seriesIds: t.idList({ required: false, description: 'series the wristband admits to' }),
  }),
});

const duplicateNfcId = (nfcId: string) =>
  new DomainError('DUPLICATE_NFC_ID', `nfcId: a wristband with nfc id ${nfcId} already exists for this event`, {
    field: 'nfcId',
  });

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === 'P2002';

/** A wristband of an organisation the caller may change (NOT_FOUND when they may not even read it). */
async function changeableWristband(ctx: AccessContext, tx: AccessTx, id: string): Promise<Wristband> {
  const wristband = await tx.wristband.findUnique({ where: { id } });
  if (!wristband || !can(ctx.principal, 'organization.read', wristband.organizationId)) throw notFound('Wristband', id);
  requirePermission(ctx.principal, 'wristbands.assign', wristband.organizationId);
  return wristband;
}

const actor = (principal: Principal) => ({ actorKind: principal.kind, actorId: principal.id ?? null });
const reasonOf = (reason: string | null | undefined) => (reason?.trim() ? requireText('reason', reason, 500) : null);

/** Moves a wristband from the status it was read with; CONFLICT if someone else changed it meanwhile. */
async function moveStatus(tx: AccessTx, wristband: Wristband, to: WristbandStatus) {
  const { count } = await tx.wristband.updateMany({
    where: { id: wristband.id, status: wristband.status },
    data: { status: to },
  });
  if (count !== 1) throw new DomainError('CONFLICT', 'the wristband changed while it was being updated; try again');
}

builder.mutationFields((t) => ({
  createWristband: t.field({
    type: WristbandRef,
    args: { input: t.arg({ type: CreateWristbandInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { eventId, organizationId } = await eventToChange(
        ctx.db,
        ctx.principal,
        parseId('eventId', input.eventId),
        'wristbands.assign',
      );
      const seriesIds = (input.seriesIds ?? []).map((id, i) => parseId(`seriesIds[${i}]`, id));
      const series = await ctx.db.eventSeries.findMany({ where: { id: { in: seriesIds } } });
      for (const seriesId of seriesIds) {
        const found = series.find((s) => s.id === seriesId);
        if (!found || found.organizationId !== organizationId) throw notFound('EventSeries', seriesId);
        if (found.eventId !== eventId)
          throw new DomainError('SERIES_OF_OTHER_EVENT', `series ${seriesId} belongs to another event`, { field: 'seriesIds' });
      }
      const nfcId = requireText('nfcId', input.nfcId, MAX_NFC_ID);
      const data = {
        organizationId,
        eventId,
        nfcId,
        category: requireText('category', input.category, MAX_CATEGORY).toUpperCase(),
        assignments: { create: [...new Set(seriesIds)].map((seriesId) => ({ seriesId })) },
      };
      try {
        return await ctx.transact(async (tx, announce) => {
          const wristband = await tx.wristband.create({ data });
          await announce('wristband.created', { wristbandId: wristband.id, eventId, organizationId: wristband.organizationId });
          return wristband;
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateNfcId(nfcId) : err;
      }
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
  setWristbandStatus: t.field({
    type: WristbandRef,
    description:
      'ACTIVE ⇄ SUSPENDED; ACTIVE or SUSPENDED → LOST or REVOKED; LOST → ACTIVE (found) or REVOKED. REVOKED is final; REPLACED comes only from replaceWristband.',
    args: {
      id: t.arg.id({ required: true }),
      status: t.arg({ type: WristbandStatusEnum, required: true }),
      reason: t.arg.string(),
    },
    resolve: (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const reason = reasonOf(args.reason);
      return ctx.transact(async (tx, announce) => {
        const wristband = await changeableWristband(ctx, tx, id);
        const check = checkWristbandStatusChange(wristband.status, args.status);
        if (!check.ok) throw new DomainError(check.code, check.message, { from: wristband.status, to: args.status });
        await moveStatus(tx, wristband, args.status);
        await tx.wristbandStatusChange.create({
          data: { wristbandId: id, fromStatus: wristband.status, toStatus: args.status, reason, ...actor(ctx.principal) },
        });
        await announce('wristband.status_changed', {
          wristbandId: id,
          eventId: wristband.eventId,
          organizationId: wristband.organizationId,
          from: wristband.status,
          to: args.status,
        });
        return { ...wristband, status: args.status };
      });
    },
  }),
  replaceWristband: t.field({
    type: WristbandRef,
    description:
      'Replaces a wristband (lost, damaged, …) by a new one with newNfcId: the old one becomes REPLACED and keeps its history; the new one has the same event and category, the same series, tickets and presence inside, and points back to it (replaces). Answers the new wristband.',
    args: {
      id: t.arg.id({ required: true }),
      newNfcId: t.arg.string({ required: true }),
      reason: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const nfcId = requireText('newNfcId', args.newNfcId, MAX_NFC_ID);
      const reason = reasonOf(args.reason);
      try {
        return await ctx.transact(async (tx, announce) => {
          const old = await changeableWristband(ctx, tx, id);
          const check = checkWristbandReplacement(old.status);
          if (!check.ok) throw new DomainError(check.code, check.message, { from: old.status, to: 'REPLACED' });
          if (await tx.wristband.findUnique({ where: { eventId_nfcId: { eventId: old.eventId, nfcId } }, select: { id: true } }))
            throw duplicateNfcId(nfcId);
          await moveStatus(tx, old, 'REPLACED');
          await tx.wristbandStatusChange.create({
            data: { wristbandId: id, fromStatus: old.status, toStatus: 'REPLACED', reason, ...actor(ctx.principal) },
          });
          const replacement = await tx.wristband.create({
            data: { organizationId: old.organizationId, eventId: old.eventId, nfcId, category: old.category, replacesId: id },
          });
          await tx.$executeRawUnsafe(
            `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId")
             SELECT $1::uuid, "seriesId" FROM "WristbandAssignment" WHERE "wristbandId" = $2::uuid ON CONFLICT DO NOTHING`,
            replacement.id,
            id,
          );
          await tx.ticket.updateMany({ where: { wristbandId: id }, data: { wristbandId: replacement.id } });
          // the wearer is the same person: whether they are inside (and their entries, for single-entry series) carries over
          await tx.presence.updateMany({ where: { wristbandId: id }, data: { wristbandId: replacement.id } });
          await announce('wristband.replaced', {
            wristbandId: id,
            replacementId: replacement.id,
            eventId: old.eventId,
            organizationId: old.organizationId,
          });
          return replacement;
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateNfcId(nfcId) : err;
      }
    },
  }),
}));
