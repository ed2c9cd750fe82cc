import { can, parseId, parsePageSize } from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { builder } from '../builder';
import { TICKET_STATUSES } from '../domain/import-rows';
import type { Ticket } from '../generated/prisma/client';
import { EventRef } from './event';
import { EventSeriesRef } from './series';
import { decodeCursor, encodeCursor, MAX_PAGE, readableEventOrganization, WristbandRef } from './wristband';

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

interface TicketPage {
  nodes: Ticket[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const TicketPageRef = builder.objectRef<TicketPage>('TicketPage').implement({
  description: "A page of an event's tickets; pass endCursor as `after` for the next.",
  fields: (t) => ({
    nodes: t.field({ type: [TicketRef], resolve: (p) => p.nodes }),
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

builder.queryFields((t) => ({
  ticket: t.field({
    type: TicketRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => readableTicket(ctx, parseId('id', id)),
  }),
  tickets: t.field({
    type: TicketPageRef,
    nullable: true,
    description: `An event's tickets (optionally of one source), at most ${MAX_PAGE} per page; null unless the caller may read the event's organisation.`,
    args: {
      eventId: t.arg.id({ required: true }),
      source: t.arg.string(),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      const eventId = parseId('eventId', args.eventId);
      const first = parsePageSize('first', args.first, 50, MAX_PAGE);
      const after = decodeCursor(args.after);
      if (after !== undefined) parseId('after', after);
      if (!(await readableEventOrganization(ctx, eventId))) return null;
      const rows = await ctx.db.ticket.findMany({
        where: { eventId, ...(args.source ? { source: args.source } : {}), ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: 'asc' },
        take: first + 1,
      });
      const nodes = rows.slice(0, first);
      return { nodes, hasNextPage: rows.length > first, endCursor: nodes.length ? encodeCursor(nodes.at(-1)!.id) : null };
    },
  }),
}));
