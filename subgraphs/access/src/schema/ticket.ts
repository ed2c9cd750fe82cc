import { can, decodeCursor, encodeCursor, pageOf, pageSize, parseId } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { builder } from '../builder';
import { TICKET_STATUSES } from '../domain/import-rows';
import type { Ticket } from '../generated/prisma/client';
import { EventRef } from './event';
import { EventSeriesRef } from './series';
import { connectionType, pageArgs, pageListSize } from './connection';
import { linkTicketToWristband } from '../sales/ticket-wristband';
import { readableEventOrganization, WristbandRef } from './wristband';

export const TicketStatusEnum = builder.enumType('TicketStatus', { values: TICKET_STATUSES });

export const TicketRef = builder.objectRef<Ticket>('Ticket');

async function readableTicket(ctx: AccessContext, id: string): Promise<Ticket | null> {
  const ticket = await ctx.loaders.ticket.load(id);
  return ticket && can(ctx.principal, 'organization.read', ticket.organizationId) ? ticket : null;
}

builder.asEntity(TicketRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: ({ id }, ctx) => readableTicket(ctx, id),
});

TicketRef.implement({
  description:
    'A ticket sold by an external ticketing system, imported (importTickets or POST /imports/tickets) and kept in step by its external id.',
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.exposeString('source', { description: 'the ticketing system it came from' }),
    externalId: t.exposeString('externalId', { description: 'its id in that system' }),
    category: t.exposeString('category'),
    status: t.field({ type: TicketStatusEnum, resolve: (ticket) => ticket.status }),
    holderName: t.exposeString('holderName', { nullable: true }),
    holderEmail: t.exposeString('holderEmail', { nullable: true }),
    importedAt: t.expose('importedAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    event: t.field({ type: EventRef, nullable: true, resolve: (ticket) => ({ id: ticket.eventId }) }),
    wristband: t.field({
      type: WristbandRef,
      nullable: true,
      resolve: (ticket, _args, ctx) => (ticket.wristbandId ? ctx.loaders.wristband.load(ticket.wristbandId) : null),
    }),
    series: t.field({
      type: [EventSeriesRef],
      description: 'the series the ticket admits to',
      resolve: (ticket, _args, ctx) => ctx.loaders.seriesOfTicket.load(ticket.id),
    }),
  }),
});

const TicketConnectionRef = connectionType('Ticket', TicketRef);

builder.queryFields((t) => ({
  ticket: t.field({
    type: TicketRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableTicket(ctx, parseId('id', id)),
  }),
  tickets: t.field({
    type: TicketConnectionRef,
    nullable: true,
    description:
      "An event's tickets (optionally of one source) in a fixed order; null unless the caller may read the event's organisation.",
    args: {
      eventId: t.arg.id({ required: true }),
      source: t.arg.string(),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const eventId = parseId('eventId', args.eventId);
      const first = pageSize(args.first);
      // ordered by id alone (the primary key): the id is the cursor's key too
      const after = args.after != null ? decodeCursor(args.after, 'text') : null;
      if (!(await readableEventOrganization(ctx, eventId))) return null;
      const where = { eventId, ...(args.source ? { source: args.source } : {}) };
      const rows = await ctx.db.ticket.findMany({
        where: after ? { ...where, id: { gt: after.id } } : where,
        orderBy: { id: 'asc' },
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (ticket) => encodeCursor(ticket.id, ticket.id),
        count: () => ctx.db.ticket.count({ where }),
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  linkTicketToWristband: t.field({
    type: TicketRef,
    description:
      'At the wristband desk: the ticket with this code goes onto the wristband with this nfc id (created ACTIVE in the ticket’s category if the event has none), which is assigned to the series the ticket admits to.',
    args: { code: t.arg.string({ required: true }), nfcId: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) => linkTicketToWristband(ctx, args.code, args.nfcId),
  }),
}));
