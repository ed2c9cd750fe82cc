import { afterWhere, decodeCursor, encodeCursor, liveEvents, notFound, pageOf, pageSize, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import { REASON_KINDS, type Reason } from '../domain/notification-matching';
import type { Notification } from '../generated/prisma/client';
import { NOTIFICATION_TOPIC } from '../notifications/release';
import { connectionType, pageArgs, pageListSize } from './connection';
import { notifiedUser } from './notification-preferences';
import { EventRef } from './rsvp';

const ReasonKindEnum = builder.enumType('NotificationReasonKind', { values: REASON_KINDS });

const NotificationReasonRef = builder.objectRef<Reason>('NotificationReason').implement({
  description: 'One reason an event matched: an interest (follow, category, keyword) or a filter it passed.',
  fields: (t) => ({
    kind: t.field({ type: ReasonKindEnum, resolve: (r) => r.kind }),
    detail: t.exposeString('detail', { description: 'for people: the category, keyword, distance, day and time, price' }),
  }),
});

export const NotificationRef = builder.objectRef<Notification>('Notification').implement({
  description: 'An event the signed-in user was told about because it matched their preferences or follows.',
  fields: (t) => ({
    id: t.exposeID('id'),
    event: t.field({ type: EventRef, resolve: (n) => ({ id: n.eventId }) }),
    title: t.exposeString('title', { description: 'the event’s title when the notification was made' }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    reasons: t.field({ type: [NotificationReasonRef], resolve: (n) => n.reasons as unknown as Reason[] }),
    inDigest: t.exposeBoolean('inDigest', {
      description: 'arrived over the day’s cap: not sent on its own, but in the next digest',
    }),
    deliveredAt: t.expose('deliverAt', { type: 'DateTime', description: 'when it reached the user (after quiet hours)' }),
    read: t.boolean({ resolve: (n) => n.readAt != null }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
  }),
});

const NotificationConnectionRef = connectionType('Notification', NotificationRef);

/** What the user may see now: notifications held for quiet hours are not there yet. */
const visible = (userId: string, unreadOnly: boolean) => ({
  userId,
  deliverAt: { lte: new Date() },
  ...(unreadOnly ? { readAt: null } : {}),
});

builder.queryFields((t) => ({
  notifications: t.field({
    type: NotificationConnectionRef,
    description: 'the signed-in user’s notifications, newest first',
    args: { ...pageArgs(t.arg), unreadOnly: t.arg.boolean({ defaultValue: false }) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const userId = notifiedUser(ctx);
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time', 'notifications') : null;
      const where = visible(userId, !!args.unreadOnly);
      const rows = await ctx.db.notification.findMany({
        where: after ? { AND: [where, afterWhere('deliverAt', after, 'desc')] } : where,
        orderBy: [{ deliverAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (n) => encodeCursor(n.deliverAt, n.id, 'notifications'),
        count: () => ctx.db.notification.count({ where }),
      });
    },
  }),
  unreadNotificationCount: t.int({
    description: 'how many of the signed-in user’s notifications are unread',
    resolve: (_root, _args, ctx) => ctx.db.notification.count({ where: visible(notifiedUser(ctx), true) }),
  }),
}));

builder.mutationFields((t) => ({
  markNotificationsRead: t.int({
    description:
      'Marks the given notifications of the signed-in user read (all of them without ids; NOT_FOUND for one that is not theirs); the number that changed.',
    args: { notificationIds: t.arg.idList() },
    resolve: async (_root, args, ctx) => {
      const userId = notifiedUser(ctx);
      const ids = args.notificationIds && [...new Set(args.notificationIds.map((id) => parseId('notificationIds', id)))];
      if (ids) {
        // another user's notification is as unknown as a missing one; nothing changes
        const own = await ctx.db.notification.findMany({
          where: { id: { in: ids }, userId, deliverAt: { lte: new Date() } },
          select: { id: true },
        });
        const missing = ids.find((id) => !own.some((n) => n.id === id));
        if (missing) throw notFound('Notification', missing);
      }
      const { count } = await ctx.db.notification.updateMany({
        where: { ...visible(userId, true), ...(ids ? { id: { in: ids } } : {}) },
        data: { readAt: new Date() },
      });
      return count;
    },
  }),
}));

builder.subscriptionFields((t) => ({
  notificationReceived: t.field({
    type: NotificationRef,
    description: 'The signed-in user’s notifications as they are delivered (after quiet hours; not those folded into a digest).',
    subscribe: (_root, _args, ctx) => {
      const userId = notifiedUser(ctx);
      return liveEvents(ctx.bus, NOTIFICATION_TOPIC, (e) => e.payload.userId === userId);
    },
    resolve: async (busEvent, _args, ctx) => {
      const row = await ctx.db.notification.findUnique({ where: { id: busEvent.payload.notificationId as string } });
      return row!;
    },
  }),
}));
