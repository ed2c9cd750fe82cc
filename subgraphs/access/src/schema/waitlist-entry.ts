import { afterWhere, can, decodeCursor, emptyConnection, encodeCursor, pageOf, pageSize, parseId } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { builder } from '../builder';
import { LIVE_STATUSES, shownStatus, type WaitlistStatus } from '../domain/waitlist';
import type { Prisma, WaitlistEntry } from '../generated/prisma/client';
import { ownSalesWhere } from '../domain/sales-channel';
import { buyerOrNull, isBuyer } from '../sales/buyer';
import { joinWaitlist, leaveWaitlist } from '../sales/waitlist';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef } from './event';
import { HoldRef } from './hold';
import { TicketTypeRef } from './ticket-type';

export const WaitlistStatusEnum = builder.enumType('WaitlistStatus', {
  values: {
    WAITING: { description: 'in line for returned tickets' },
    OFFERED: { description: 'offered returned tickets: a hold of its buyer’s (offer) to confirm before offerExpiresAt' },
    BOOKED: { description: 'the offer was confirmed: a booking' },
    EXPIRED: { description: 'the offer ran out; the tickets passed to the next in line' },
    LEFT: { description: 'its buyer left the line, or gave the offer back' },
  } as const,
});

/** An entry, with what a live reading knew already (its place in line, its offer's expiry). */
export type ShownWaitlistEntry = WaitlistEntry & { ahead?: number | null; offerExpiresAt?: Date | null };

export const WaitlistEntryRef = builder.objectRef<ShownWaitlistEntry>('WaitlistEntry');

const offerExpiry = async (entry: ShownWaitlistEntry, ctx: AccessContext) => {
  if (entry.offerExpiresAt !== undefined) return entry.offerExpiresAt;
  return entry.holdId ? ((await ctx.loaders.hold.load(entry.holdId))?.expiresAt ?? null) : null;
};
const aheadOf = (entry: ShownWaitlistEntry, ctx: AccessContext) =>
  entry.ahead !== undefined ? entry.ahead : ctx.loaders.waitlistAhead.load(entry.id);

WaitlistEntryRef.implement({
  description:
    'A buyer’s place in the line for a sold-out ticket type. Returned tickets are offered front to back, to each entry whose quantity fits, as a hold to confirm (confirmHold) before it expires; then they pass on.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.field({
      type: WaitlistStatusEnum,
      description: 'OFFERED past offerExpiresAt is as good as EXPIRED (the scheduler will say so shortly)',
      resolve: async (entry, _args, ctx) => shownStatus(entry, await offerExpiry(entry, ctx), new Date()),
    }),
    quantity: t.exposeInt('quantity', { description: 'the tickets it waits for (all offered at once, or none)' }),
    position: t.int({
      nullable: true,
      description: 'its place in line, 1 for the first; null once it left the line (booked, expired, left)',
      resolve: async (entry, _args, ctx) => {
        const ahead = await aheadOf(entry, ctx);
        return ahead === null ? null : ahead + 1;
      },
    }),
    ahead: t.int({
      nullable: true,
      description: 'how many WAITING or OFFERED entries are ahead of it; null once it left the line',
      resolve: (entry, _args, ctx) => aheadOf(entry, ctx),
    }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
    offeredAt: t.expose('offeredAt', { type: 'DateTime', nullable: true }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    offerExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'until when the offer waits for its confirmation',
      resolve: (entry, _args, ctx) => offerExpiry(entry, ctx),
    }),
    offer: t.field({
      type: HoldRef,
      nullable: true,
      description: 'the hold of the tickets offered: its buyer confirms it with confirmHold (only the buyer sees it)',
      resolve: (entry, _args, ctx) =>
        entry.holdId && isBuyer(ctx.principal, entry) ? ctx.loaders.hold.load(entry.holdId) : null,
    }),
    buyerKind: t.exposeString('buyerKind', { description: 'user, partnerApp or service' }),
    buyerId: t.exposeString('buyerId'),
    soldThroughAppId: t.exposeID('soldThroughAppId', {
      nullable: true,
      description:
        'the partner app that joined the line for the buyer (its offer is sold through it too); null if they joined themselves',
    }),
    ticketType: t.field({
      type: TicketTypeRef,
      nullable: true,
      resolve: (entry, _args, ctx) => ctx.loaders.ticketType.load(entry.ticketTypeId),
    }),
    event: t.field({ type: EventRef, nullable: true, resolve: (entry) => ({ id: entry.eventId }) }),
  }),
});

// the length of the line, for the organisation (like sold and held)
builder.objectFields(TicketTypeRef, (t) => ({
  waiting: t.int({
    nullable: true,
    description: 'entries waiting on its waitlist: while any wait, returned tickets go to them (the organisation only)',
    resolve: (type, _a, ctx) => (can(ctx.principal, 'organization.read', type.organizationId) ? type.waiting : null),
  }),
}));

const WaitlistEntryConnectionRef = connectionType('WaitlistEntry', WaitlistEntryRef);

type PageArgs = { first?: number | null; after?: string | null };

/** The caller's own entries, newest first, keyed by (joinedAt, id). */
async function ownPage(ctx: AccessContext, where: Prisma.WaitlistEntryWhereInput, args: PageArgs) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'time') : null;
  const rows = await ctx.db.waitlistEntry.findMany({
    where: after ? { AND: [where, afterWhere('joinedAt', after, 'desc')] } : where,
    orderBy: [{ joinedAt: 'desc' }, { id: 'desc' }],
    take: first + 1,
  });
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (e) => encodeCursor(e.joinedAt, e.id),
    count: () => ctx.db.waitlistEntry.count({ where }),
  });
}

/** A type's line, front first, keyed by the entry's place (line, id). */
async function linePage(ctx: AccessContext, where: Prisma.WaitlistEntryWhereInput, args: PageArgs) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'number', 'line') : null;
  const rows = await ctx.db.waitlistEntry.findMany({
    where: after ? { AND: [where, afterWhere('line', after, 'asc')] } : where,
    orderBy: [{ line: 'asc' }, { id: 'asc' }],
    take: first + 1,
  });
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (e) => encodeCursor(e.line, e.id, 'line'),
    count: () => ctx.db.waitlistEntry.count({ where }),
  });
}

const statusFilter = (status: WaitlistStatus | null | undefined) => ({
  status: status ? status : { in: [...LIVE_STATUSES] },
});

builder.queryFields((t) => ({
  myWaitlistEntries: t.field({
    type: WaitlistEntryConnectionRef,
    description:
      'The caller’s own waitlist entries, newest first, of every status unless one is given (empty for callers that do not buy). A partner app acting for a user: only those it joined for them.',
    args: { status: t.arg({ type: WaitlistStatusEnum }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const buyer = buyerOrNull(ctx.principal);
      if (!buyer) return emptyConnection<WaitlistEntry>();
      return ownPage(ctx, { ...ownSalesWhere(buyer), ...(args.status ? { status: args.status } : {}) }, args);
    },
  }),
  waitlist: t.field({
    type: WaitlistEntryConnectionRef,
    nullable: true,
    description:
      'A ticket type’s waitlist in line order: the live entries (WAITING, OFFERED) unless a status is given; null unless the caller may read its organisation’s sales (managers and up, org:read keys).',
    args: { ticketTypeId: t.arg.id({ required: true }), status: t.arg({ type: WaitlistStatusEnum }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const type = await ctx.loaders.ticketType.load(parseId('ticketTypeId', args.ticketTypeId));
      if (!type || !can(ctx.principal, 'sales.read', type.organizationId)) return null;
      return linePage(ctx, { ticketTypeId: type.id, ...statusFilter(args.status) }, args);
    },
  }),
}));

builder.mutationFields((t) => ({
  joinWaitlist: t.field({
    type: WaitlistEntryRef,
    description:
      'Joins the waitlist of a ticket type no hold can be placed for (sold out, or others waiting): NOT_SOLD_OUT while enough are left (hold them instead). One live entry per buyer and type: the same quantity again answers it, another is ALREADY_WAITING.',
    args: {
      ticketTypeId: t.arg.id({ required: true }),
      quantity: t.arg.int({ required: true, description: 'the tickets wanted, at most the type’s maxPerOrder' }),
      accessCode: t.arg.string({ description: 'a HIDDEN type’s code' }),
    },
    resolve: (_root, args, ctx) => joinWaitlist(ctx, args),
  }),
  leaveWaitlist: t.field({
    type: WaitlistEntryRef,
    description:
      'Leaves the waitlist of a ticket type (an offer is given back: its tickets pass to the next in line); NOT_FOUND without a live entry.',
    args: { ticketTypeId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => leaveWaitlist(ctx, args.ticketTypeId),
  }),
}));
