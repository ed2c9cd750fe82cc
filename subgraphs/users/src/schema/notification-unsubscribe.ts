import { DomainError } from '@eventgraph/runtime';
import { builder } from '../builder';
import { checkUnsubscribeToken } from '../domain/notification-unsubscribe';

const UnsubscribeResultRef = builder.objectRef<{ channel: string; stopped: boolean }>('UnsubscribeResult').implement({
  fields: (t) => ({
    channel: t.exposeString('channel', { description: 'the channel the link stopped (EMAIL, PUSH, or ALL)' }),
    stopped: t.exposeBoolean('stopped', { description: 'false: it was stopped already' }),
  }),
});

builder.mutationFields((t) => ({
  unsubscribeNotifications: t.field({
    type: UnsubscribeResultRef,
    description:
      'Stops a channel of notifications with the signed token of a notification message; works without signing in (the gateway serves it as GET /unsubscribe?token=…). UNSUBSCRIBE_TOKEN_INVALID, UNSUBSCRIBE_TOKEN_EXPIRED.',
    args: { token: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const check = checkUnsubscribeToken(ctx.settings.EVENTGRAPH_PRINCIPAL_SECRET, args.token.slice(0, 1000));
      if (!check.ok)
        throw new DomainError(
          check.code,
          check.code === 'UNSUBSCRIBE_TOKEN_EXPIRED'
            ? 'the unsubscribe link has expired: change your notification preferences after signing in'
            : 'the unsubscribe link is not valid',
        );
      const { userId, channel } = check.claim;
      return ctx.db.$transaction(async (tx) => {
        const prefs = await tx.notificationPreference.findUnique({ where: { userId } });
        if (!prefs || (channel !== 'ALL' && !prefs.channels.includes(channel))) return { channel, stopped: false };
        if (channel === 'ALL') await tx.notificationPreference.delete({ where: { userId } });
        else
          await tx.notificationPreference.update({
            where: { userId },
            data: { channels: prefs.channels.filter((c) => c !== channel) },
          });
        // what was queued for the channel is not sent any more
        await tx.notificationDelivery.updateMany({
          where: { userId, status: { in: ['PENDING', 'FAILED'] }, ...(channel === 'ALL' ? {} : { channel }) },
          data: { status: 'DEAD', lastError: 'unsubscribed' },
        });
        return { channel, stopped: true };
      });
    },
  }),
}));
