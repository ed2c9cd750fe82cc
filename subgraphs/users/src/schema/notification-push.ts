import { builder } from '../builder';
import { validatePushSubscription } from '../domain/notification-push';
import type { PushSubscription } from '../generated/prisma/client';
import { notifiedUser } from './notification-preferences';

const PushSubscriptionRef = builder.objectRef<PushSubscription>('PushSubscription').implement({
  description: 'A browser that receives the signed-in user’s PUSH notifications (Web Push with VAPID).',
  fields: (t) => ({
    id: t.exposeID('id'),
    endpoint: t.exposeString('endpoint'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const PushKeysInput = builder.inputType('PushKeysInput', {
  description: 'The keys of a PushSubscription (getKey("p256dh"), getKey("auth")), base64url.',
  fields: (t) => ({ p256dh: t.string({ required: true }), auth: t.string({ required: true }) }),
});

builder.queryFields((t) => ({
  myPushSubscriptions: t.field({
    type: [PushSubscriptionRef],
    description: 'the browsers the signed-in user receives push notifications on',
    resolve: (_root, _args, ctx) =>
      ctx.db.pushSubscription.findMany({ where: { userId: notifiedUser(ctx) }, orderBy: { createdAt: 'asc' } }),
  }),
}));

builder.mutationFields((t) => ({
  registerPushSubscription: t.field({
    type: PushSubscriptionRef,
    description:
      'Registers a browser’s push subscription for the signed-in user (PUSH among the channels sends to it); the same endpoint again replaces its keys.',
    args: { endpoint: t.arg.string({ required: true }), keys: t.arg({ type: PushKeysInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = notifiedUser(ctx);
      const { endpoint, keys } = validatePushSubscription(args.endpoint, args.keys, ctx.settings.NODE_ENV === 'production');
      // an endpoint belongs to one browser: registered again (another user signed in there), it moves
      return ctx.db.pushSubscription.upsert({
        where: { endpoint },
        create: { userId, endpoint, ...keys },
        update: { userId, ...keys },
      });
    },
  }),
  unregisterPushSubscription: t.field({
    type: 'Boolean',
    args: { endpoint: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const { count } = await ctx.db.pushSubscription.deleteMany({
        where: { userId: notifiedUser(ctx), endpoint: args.endpoint.trim() },
      });
      return count > 0;
    },
  }),
}));
