import {
  afterWhere,
  can,
  decodeCursor,
  DomainError,
  emptyConnection,
  encodeCursor,
  ErrorCode,
  notFound,
  pageOf,
  pageSize,
  parseId,
  requireAuthenticated,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext, UsersDb, UsersTx } from '../context';
import { canAnswer } from '../domain/rsvp';
import type { Rsvp } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { friendsOf } from './follow';
import { UserRef } from './user';

export const RsvpStatusEnum = builder.enumType('RsvpStatus', { values: ['GOING', 'INTERESTED', 'NOT_GOING'] as const });

export const RsvpRef = builder.objectRef<Rsvp>('Rsvp').implement({
  description: "A user's answer to an event.",
  fields: (t) => ({
    status: t.field({ type: RsvpStatusEnum, resolve: (r) => r.status }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    user: t.field({ type: UserRef, resolve: async (r, _args, ctx) => (await ctx.loaders.user.load(r.userId))! }),
  }),
});

const RsvpConnectionRef = connectionType('Rsvp', RsvpRef);

interface RsvpCounts {
  going: number;
  interested: number;
}

const RsvpCountsRef = builder.objectRef<RsvpCounts>('RsvpCounts').implement({
  fields: (t) => ({ going: t.exposeInt('going'), interested: t.exposeInt('interested') }),
});

function signedInUser(ctx: UsersContext): string {
  requireAuthenticated(ctx.principal);
  if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users answer events');
  return ctx.principal.id!;
}

/** Its organisation's members, or the owner of a user's own event. */
const isInsider = (ctx: UsersContext, known: { organizationId: string | null; ownerUserId: string | null }) =>
  known.organizationId
    ? can(ctx.principal, 'organization.read', known.organizationId)
    : ctx.principal.kind === 'user' && ctx.principal.id === known.ownerUserId;

export async function countsOf(db: UsersDb | UsersTx, eventId: string): Promise<RsvpCounts> {
  const groups = await db.rsvp.groupBy({ by: ['status'], where: { eventId }, _count: { _all: true } });
  const count = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0;
  return { going: count('GOING'), interested: count('INTERESTED') };
}

/** Events belong to the events subgraph; users adds who is going. */
export const EventRef = builder.externalRef('Event', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    rsvpCounts: t.field({ type: RsvpCountsRef, resolve: (event, _args, ctx) => countsOf(ctx.db, event.id) }),
    viewerRsvp: t.field({
      type: RsvpStatusEnum,
      nullable: true,
      description: "the signed-in user's answer",
      resolve: async (event, _args, ctx) =>
        ctx.principal.kind === 'user'
          ? ((await ctx.db.rsvp.findUnique({ where: { userId_eventId: { userId: ctx.principal.id!, eventId: event.id } } }))
              ?.status ?? null)
          : null,
    }),
    rsvps: t.field({
      type: RsvpConnectionRef,
      description: "who answered, latest answer first; visible to the event's organisation only (empty for others)",
      args: { status: t.arg({ type: RsvpStatusEnum }), ...pageArgs(t.arg) },
      listSize: pageListSize,
      resolve: async (event, args, ctx) => {
        const first = pageSize(args.first);
        // one answer per user and event: (updatedAt, userId) orders the list
        const after = args.after != null ? decodeCursor(args.after, 'time') : null;
        const known = await ctx.db.knownEvent.findUnique({ where: { eventId: event.id } });
        if (!known || !isInsider(ctx, known)) return emptyConnection<Rsvp>();
        const where = { eventId: event.id, ...(args.status ? { status: args.status } : {}) };
        const rows = await ctx.db.rsvp.findMany({
          where: after ? { AND: [where, afterWhere('updatedAt', after, 'desc', 'userId')] } : where,
          orderBy: [{ updatedAt: 'desc' }, { userId: 'desc' }],
          take: first + 1,
        });
        return pageOf(rows, first, {
          after: args.after,
          cursorOf: (r) => encodeCursor(r.updatedAt, r.userId),
          count: () => ctx.db.rsvp.count({ where }),
        });
      },
    }),
  }),
});

builder.mutationFields((t) => ({
  rsvp: t.field({
    type: RsvpCountsRef,
    description: "Answers an event (GOING, INTERESTED, NOT_GOING) and returns the event's counts.",
    args: { eventId: t.arg.id({ required: true }), status: t.arg({ type: RsvpStatusEnum, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = signedInUser(ctx);
      const eventId = parseId('eventId', args.eventId);
      const known = await ctx.db.knownEvent.findUnique({ where: { eventId } });
      const isFriend = Boolean(known?.ownerUserId && (await friendsOf(ctx.db, userId)).has(known.ownerUserId));
      if (!known || !canAnswer(known, isInsider(ctx, known), isFriend)) throw notFound('Event', eventId);
      return ctx.transact(async (tx, announce) => {
        await tx.rsvp.upsert({
          where: { userId_eventId: { userId, eventId } },
          create: { userId, eventId, status: args.status },
          update: { status: args.status },
        });
        const counts = await countsOf(tx, eventId);
        await announce('rsvp.changed', { eventId, organizationId: known.organizationId, userId, status: args.status, ...counts });
        return counts;
      });
    },
  }),
}));
