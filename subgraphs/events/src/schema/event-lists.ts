import { afterWhere, decodeCursor, encodeCursor, pageOf, pageSize, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { EventsContext } from '../context';
import type { Prisma } from '../generated/prisma/client';
import { listedEventsWhere } from '../visibility';
import { connectionType, pageArgs, pageListSize } from './connection';
import { EventRef, EventStatusEnum } from './event';
import { OrganizationRef } from './organization';
import { VenueRef } from './venue';

/**
 * The lists of events by start time (Query.events, Organization.events, Venue.events): one connection, one order
 * (startsAt, id), each showing what the caller may see without what their own events stand in for. Shareable: the
 * users subgraph's myFeed is an EventConnection too.
 */
export const EventConnectionRef = connectionType('Event', EventRef, { shareable: true });

async function eventPage(
  ctx: EventsContext,
  where: Prisma.EventWhereInput,
  args: { first?: number | null; after?: string | null },
) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'time') : null;
  const listed: Prisma.EventWhereInput = { AND: [where, listedEventsWhere(ctx.principal, await ctx.friends())] };
  const rows = await ctx.db.event.findMany({
    where: after ? { AND: [listed, afterWhere('startsAt', after)] } : listed,
    orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    take: first + 1,
  });
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (e) => encodeCursor(e.startsAt, e.id),
    count: () => ctx.db.event.count({ where: listed }),
  });
}

builder.queryFields((t) => ({
  events: t.field({
    type: EventConnectionRef,
    description:
      "Events by start time, as the caller sees them (a signed-in user's own events in place of the ones they stand for).",
    args: {
      organizationId: t.arg.id(),
      status: t.arg({ type: EventStatusEnum }),
      ...pageArgs(t.arg),
    },
    listSize: pageListSize,
    resolve: (_root, args, ctx) =>
      eventPage(
        ctx,
        {
          organizationId: args.organizationId ? parseId('organizationId', args.organizationId) : undefined,
          status: args.status ?? undefined,
        },
        args,
      ),
  }),
}));

builder.objectField(OrganizationRef, 'events', (t) =>
  t.field({
    type: EventConnectionRef,
    description: "the organisation's events by start time, as the caller sees them",
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: (org, args, ctx) => eventPage(ctx, { organizationId: org.id }, args),
  }),
);

builder.objectField(VenueRef, 'events', (t) =>
  t.field({
    type: EventConnectionRef,
    description: "the venue's events by start time, as the caller sees them",
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: (venue, args, ctx) => eventPage(ctx, { venueId: venue.id }, args),
  }),
);
