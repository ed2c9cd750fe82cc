import { can, DomainError, notFound, parseId, sqlOf, type Principal } from '@eventgraph/runtime';
import type { AccessContext, AccessTx } from '../context';
import { builder } from '../builder';
import { inventoryProblem, isProblem, normalizeTicketType, type TicketTypeSettings } from '../domain/ticket-types';
import type { KnownEvent, TicketType } from '../generated/prisma/client';
import { eventToChange } from '../known-events';
import { refuse, ticketTypeShown } from '../sales/holds';
import { announceAvailability } from '../sales/inventory';
import { seatedQuantityProblem } from '../sales/seat-maps';
import { settleWaitlist } from '../sales/waitlist-offers';
import { EventRef } from './event';
import { EventSeriesRef, isTemplate } from './series';

/** Ticket types one event may have: the list is answered whole, so it stays short. */
const MAX_TYPES_PER_EVENT = 100;

export const TicketTypeVisibilityEnum = builder.enumType('TicketTypeVisibility', {
  values: {
    PUBLIC: { description: 'listed to everyone while the event is published' },
    HIDDEN: { description: 'offered only to a buyer who gives its access code' },
  } as const,
});

/** A type, with its availability when it is already known (the live subscription reads both at once). */
export type ShownTicketType = TicketType & { available?: number };

export const TicketTypeRef = builder.objectRef<ShownTicketType>('TicketType');

/** A ticket type as its organisation's readers see it (counts, access code), or null for anyone else. */
const staffOnly = <T>(ctx: AccessContext, type: TicketType, value: T): T | null =>
  can(ctx.principal, 'organization.read', type.organizationId) ? value : null;

async function shownTicketType(ctx: AccessContext, id: string, accessCode?: string | null): Promise<TicketType | null> {
  const type = await ctx.loaders.ticketType.load(id);
  if (!type) return null;
  return ticketTypeShown(ctx, type, await ctx.loaders.knownEvent.load(type.eventId), accessCode) ? type : null;
}

TicketTypeRef.implement({
  description:
    'What an organisation sells for an event (or one series of it): a price, a quantity, a sale window and the categories it grants. Sold only while the event is ON_SALE.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    priceMinor: t.exposeInt('priceMinor', { description: 'the price in minor units of currency (cents)' }),
    currency: t.exposeString('currency', { description: 'ISO 4217' }),
    quantity: t.exposeInt('quantity', { description: 'how many are for sale in all' }),
    available: t.int({
      description: 'how many can be held now (expired holds count as free)',
      resolve: async (type, _args, ctx) => Math.max(0, type.available ?? (await ctx.loaders.available.load(type.id))),
    }),
    sold: t.int({
      nullable: true,
      description: 'the organisation only',
      resolve: (type, _a, ctx) => staffOnly(ctx, type, type.sold),
    }),
    held: t.int({
      nullable: true,
      description: 'in holds not yet confirmed or released (the organisation only)',
      resolve: (type, _a, ctx) => staffOnly(ctx, type, type.held),
    }),
    salesStartAt: t.expose('salesStartAt', { type: 'DateTime', nullable: true }),
    salesEndAt: t.expose('salesEndAt', { type: 'DateTime', nullable: true }),
    maxPerOrder: t.exposeInt('maxPerOrder'),
    visibility: t.field({ type: TicketTypeVisibilityEnum, resolve: (type) => type.visibility }),
    accessCode: t.string({
      nullable: true,
      description: 'a HIDDEN type’s code (the organisation only)',
      resolve: (type, _a, ctx) => staffOnly(ctx, type, type.accessCode),
    }),
    categories: t.exposeStringList('categories', { description: 'the categories it grants; the first is its tickets’ category' }),
    event: t.field({ type: EventRef, nullable: true, resolve: (type) => ({ id: type.eventId }) }),
    series: t.field({
      type: EventSeriesRef,
      nullable: true,
      description: 'the one series it admits to; null: every series of the event',
      resolve: (type, _a, ctx) => (type.seriesId ? ctx.loaders.series.load(type.seriesId) : null),
    }),
  }),
});

builder.objectFields(EventRef, (t) => ({
  ticketTypes: t.field({
    type: [TicketTypeRef],
    description:
      'What the event sells: every type for its organisation; the PUBLIC ones (and HIDDEN ones whose accessCode is given) for anyone once it is published.',
    args: { accessCode: t.arg.string() },
    resolve: async (event, args, ctx) => {
      const known = await ctx.loaders.knownEvent.load(event.id);
      const types = await ctx.loaders.ticketTypesOfEvent.load(event.id);
      return types.filter((type) => ticketTypeShown(ctx, type, known, args.accessCode));
    },
  }),
}));

builder.queryFields((t) => ({
  ticketType: t.field({
    type: TicketTypeRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }), accessCode: t.arg.string() },
    resolve: (_root, args, ctx) => shownTicketType(ctx, parseId('id', args.id), args.accessCode),
  }),
}));

const settingsFields = {
  name: 'the name buyers see (unique within the event)',
  priceMinor: 'in minor units of currency: 1250 is 12.50 EUR',
  currency: 'ISO 4217, e.g. EUR',
  quantity: 'how many are for sale; the event’s types together may not exceed its venue’s capacity',
  maxPerOrder: 'the most one hold may take (1–100)',
} as const;

const CreateTicketTypeInput = builder.inputType('CreateTicketTypeInput', {
  fields: (t) => ({
    eventId: t.id({ required: true }),
    seriesId: t.id({ description: 'the one series it admits to; default: every series of the event' }),
    name: t.string({ required: true, description: settingsFields.name }),
    priceMinor: t.int({ required: true, description: settingsFields.priceMinor }),
    currency: t.string({ required: true, description: settingsFields.currency }),
    quantity: t.int({ required: true, description: settingsFields.quantity }),
    salesStartAt: t.field({ type: 'DateTime', description: 'default: as soon as the event is ON_SALE' }),
    salesEndAt: t.field({ type: 'DateTime', description: 'default: while the event is ON_SALE' }),
    maxPerOrder: t.int({ description: `${settingsFields.maxPerOrder}; default 10` }),
    visibility: t.field({ type: TicketTypeVisibilityEnum, description: 'default: PUBLIC' }),
    accessCode: t.string({ description: 'a HIDDEN type’s code (4–64 letters, digits, - and _)' }),
    categories: t.stringList({ required: true, description: 'the categories it grants (GA, VIP, …); upper-cased' }),
  }),
});

const UpdateTicketTypeInput = builder.inputType('UpdateTicketTypeInput', {
  fields: (t) => ({
    name: t.string({ description: settingsFields.name }),
    priceMinor: t.int({ description: settingsFields.priceMinor }),
    currency: t.string({ description: settingsFields.currency }),
    quantity: t.int({ description: `${settingsFields.quantity}; not below what is sold or held` }),
    salesStartAt: t.field({ type: 'DateTime' }),
    salesEndAt: t.field({ type: 'DateTime' }),
    maxPerOrder: t.int({ description: settingsFields.maxPerOrder }),
    visibility: t.field({ type: TicketTypeVisibilityEnum }),
    accessCode: t.string(),
    categories: t.stringList(),
  }),
});

type SettingsInput = { [K in keyof TicketTypeSettings]?: TicketTypeSettings[K] | null };

/** The stored settings with the given ones over them (null clears the optional ones). */
function merged(input: SettingsInput, current?: TicketTypeSettings): TicketTypeSettings {
  const pick = <K extends keyof TicketTypeSettings>(key: K, fallback: TicketTypeSettings[K]) =>
    input[key] !== undefined && (input[key] !== null || fallback === null) ? (input[key] as TicketTypeSettings[K]) : fallback;
  const optional = <K extends 'salesStartAt' | 'salesEndAt' | 'accessCode'>(key: K) =>
    (input[key] !== undefined ? input[key] : (current?.[key] ?? null)) as TicketTypeSettings[K];
  // made PUBLIC without a word on its code: the code goes (a public type has none)
  const accessCode = input.visibility === 'PUBLIC' && input.accessCode === undefined ? null : optional('accessCode');
  return {
    name: pick('name', current?.name ?? ''),
    priceMinor: pick('priceMinor', current?.priceMinor ?? 0),
    currency: pick('currency', current?.currency ?? ''),
    quantity: pick('quantity', current?.quantity ?? 0),
    salesStartAt: optional('salesStartAt'),
    salesEndAt: optional('salesEndAt'),
    maxPerOrder: pick('maxPerOrder', current?.maxPerOrder ?? 10),
    visibility: pick('visibility', (current?.visibility as TicketTypeSettings['visibility']) ?? 'PUBLIC'),
    accessCode,
    categories: pick('categories', current?.categories ?? []),
  };
}

/**
 * Creating or resizing a type locks the event's KnownEvent row, so two managers cannot both pass the capacity
 * check; the type's own quantity (over `others`) must fit the venue's capacity.
 */
async function checkInventory(tx: AccessTx, event: KnownEvent, quantity: number, exceptId?: string) {
  await tx.$queryRawUnsafe('SELECT 1 FROM "KnownEvent" WHERE "eventId" = $1::uuid FOR UPDATE', event.eventId);
  const others = await tx.ticketType.aggregate({
    where: { eventId: event.eventId, ...(exceptId ? { id: { not: exceptId } } : {}) },
    _sum: { quantity: true },
    _count: true,
  });
  if (!exceptId && others._count >= MAX_TYPES_PER_EVENT)
    throw new DomainError('BAD_USER_INPUT', `eventId: an event has at most ${MAX_TYPES_PER_EVENT} ticket types`, {
      field: 'eventId',
    });
  const venue = event.venueId ? await tx.knownVenue.findUnique({ where: { venueId: event.venueId } }) : null;
  const problem = inventoryProblem(venue?.maxCapacity ?? null, (others._sum.quantity ?? 0) + quantity);
  if (problem) throw refuse(problem);
}

async function seriesOfEvent(ctx: AccessContext, eventId: string, seriesId: string | null | undefined) {
  if (!seriesId) return null;
  const id = parseId('seriesId', seriesId);
  const series = await ctx.loaders.series.load(id);
  if (!series || !can(ctx.principal, 'organization.read', series.organizationId)) throw notFound('EventSeries', id);
  if (series.eventId !== eventId || isTemplate(series))
    throw new DomainError('SERIES_OF_OTHER_EVENT', `series ${id} is not a series of event ${eventId}`, { field: 'seriesId' });
  return id;
}

async function typeToChange(ctx: AccessContext, principal: Principal, id: string) {
  const type = await ctx.db.ticketType.findUnique({ where: { id } });
  if (!type || !can(principal, 'organization.read', type.organizationId)) throw notFound('TicketType', id);
  return { type, event: await eventToChange(ctx.db, principal, type.eventId, 'sales.manage') };
}

builder.mutationFields((t) => ({
  createTicketType: t.field({
    type: TicketTypeRef,
    args: { input: t.arg({ type: CreateTicketTypeInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const event = await eventToChange(ctx.db, ctx.principal, parseId('eventId', input.eventId), 'sales.manage');
      const seriesId = await seriesOfEvent(ctx, event.eventId, input.seriesId);
      const settings = normalizeTicketType(merged(input as SettingsInput));
      if (isProblem(settings)) throw refuse(settings);
      return ctx.transact(async (tx, announce) => {
        await checkInventory(tx, event, settings.quantity);
        const created = await tx.ticketType.create({
          data: { ...settings, organizationId: event.organizationId, eventId: event.eventId, seriesId },
        });
        await announceAvailability(sqlOf(tx), announce, [created.id]);
        return created;
      });
    },
  }),
  updateTicketType: t.field({
    type: TicketTypeRef,
    description: 'Changes a ticket type; its quantity may not go below what is sold or held.',
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateTicketTypeInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = parseId('id', args.id);
      const { event } = await typeToChange(ctx, ctx.principal, id);
      return ctx.transact(async (tx, announce) => {
        // the type's row locked: holds wait, so sold + held is what the new quantity is weighed against
        await tx.$queryRawUnsafe('SELECT 1 FROM "TicketType" WHERE id = $1::uuid FOR UPDATE', id);
        const current = (await tx.ticketType.findUnique({ where: { id } }))!;
        const settings = normalizeTicketType(
          merged(args.input as SettingsInput, current as TicketTypeSettings),
          current.sold + current.held,
        );
        if (isProblem(settings)) throw refuse(settings);
        const seated = await seatedQuantityProblem(sqlOf(tx), id, settings.quantity);
        if (seated) throw seated;
        if (settings.quantity > current.quantity) await checkInventory(tx, event, settings.quantity, id);
        const updated = await tx.ticketType.update({ where: { id }, data: settings });
        // tickets added (or a sale reopened) go to the waitlist first
        await settleWaitlist(sqlOf(tx), announce, [id]);
        // any change may show or hide it, or change what is left: live subscribers hear of each
        await announceAvailability(sqlOf(tx), announce, [id]);
        return updated;
      });
    },
  }),
}));
