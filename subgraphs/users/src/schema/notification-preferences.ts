import { DomainError, ErrorCode, requireAuthenticated } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import { hhmm, NOTIFICATION_CHANNELS, validatePreferences, type MinuteWindow } from '../domain/notification-preferences';
import type { NotificationPreference } from '../generated/prisma/client';

export const DeliveryChannelEnum = builder.enumType('DeliveryChannel', {
  values: NOTIFICATION_CHANNELS,
  description:
    'Where matched notifications reach a user: the in-app list and stream, email, web push (User.notificationChannels is the older profile field).',
});

const windowOf = (w: MinuteWindow) => ({ from: hhmm(w.from), to: hhmm(w.to) });

const LocalTimeWindowRef = builder.objectRef<{ from: string; to: string }>('LocalTimeWindow').implement({
  description: 'A window of local time of day (HH:MM); `from` after `to` spans midnight.',
  fields: (t) => ({ from: t.exposeString('from'), to: t.exposeString('to') }),
});
const LocalTimeWindowInput = builder.inputType('LocalTimeWindowInput', {
  fields: (t) => ({ from: t.string({ required: true }), to: t.string({ required: true }) }),
});
const GeoPointInput = builder.inputType('GeoPointInput', {
  fields: (t) => ({ latitude: t.float({ required: true }), longitude: t.float({ required: true }) }),
});
const PriceRangeInput = builder.inputType('PriceRangeInput', {
  description: 'Prices in minor units (cents) of `currency`; free events are within any range.',
  fields: (t) => ({ min: t.int(), max: t.int(), currency: t.string({ required: true }) }),
});

export const NotificationPreferencesRef = builder.objectRef<NotificationPreference>('NotificationPreferences').implement({
  description: 'What the signed-in user wants to be notified about, and how.',
  fields: (t) => ({
    categories: t.exposeStringList('categories', { description: 'slugs of the platform’s taxonomy' }),
    keywords: t.exposeStringList('keywords', { description: 'whole words or two-word phrases of a title, tag or category' }),
    days: t.exposeIntList('days', { description: 'ISO weekdays (1 = Monday) events may start on; empty: any' }),
    timeWindows: t.field({
      type: [LocalTimeWindowRef],
      description: 'local start-time windows; empty: any time',
      resolve: (p) => (p.timeWindows as unknown as MinuteWindow[]).map(windowOf),
    }),
    timeZone: t.exposeString('timeZone'),
    homeLatitude: t.exposeFloat('homeLatitude', { nullable: true }),
    homeLongitude: t.exposeFloat('homeLongitude', { nullable: true }),
    maxDistanceKm: t.exposeFloat('maxDistanceKm', { nullable: true }),
    priceMin: t.exposeInt('priceMin', { nullable: true }),
    priceMax: t.exposeInt('priceMax', { nullable: true }),
    currency: t.exposeString('currency', { nullable: true }),
    channels: t.field({ type: [DeliveryChannelEnum], resolve: (p) => p.channels as (typeof NOTIFICATION_CHANNELS)[number][] }),
    quietHours: t.field({
      type: LocalTimeWindowRef,
      nullable: true,
      resolve: (p) => (p.quietFrom == null || p.quietTo == null ? null : windowOf({ from: p.quietFrom, to: p.quietTo })),
    }),
    dailyCap: t.exposeInt('dailyCap', { description: 'notifications a day on their own; more are folded into a digest' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const NotificationPreferencesInput = builder.inputType('NotificationPreferencesInput', {
  description: 'The whole set of preferences (what is left out is cleared). Nothing is sent without preferences.',
  fields: (t) => ({
    categories: t.stringList(),
    keywords: t.stringList(),
    days: t.intList(),
    timeWindows: t.field({ type: [LocalTimeWindowInput] }),
    timeZone: t.string({ description: 'IANA zone of days, windows, quiet hours and the cap’s day (default UTC)' }),
    home: t.field({ type: GeoPointInput }),
    maxDistanceKm: t.float(),
    price: t.field({ type: PriceRangeInput }),
    channels: t.field({ type: [DeliveryChannelEnum], description: 'default [IN_APP]' }),
    quietHours: t.field({
      type: LocalTimeWindowInput,
      description: 'nothing is sent in these local hours; it waits for their end',
    }),
    dailyCap: t.int({ description: 'default 10' }),
  }),
});

/** The signed-in user (notifications are for people, not keys or devices). */
export function notifiedUser(ctx: UsersContext): string {
  requireAuthenticated(ctx.principal);
  if (ctx.principal.kind !== 'user') throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users have notifications');
  return ctx.principal.id!;
}

builder.queryFields((t) => ({
  myNotificationPreferences: t.field({
    type: NotificationPreferencesRef,
    nullable: true,
    description: 'the signed-in user’s notification preferences; null: none set (no notifications)',
    resolve: (_root, _args, ctx) => ctx.db.notificationPreference.findUnique({ where: { userId: notifiedUser(ctx) } }),
  }),
}));

builder.mutationFields((t) => ({
  setNotificationPreferences: t.field({
    type: NotificationPreferencesRef,
    description: 'Replaces the signed-in user’s notification preferences (UNKNOWN_CATEGORY, NEGATIVE_DISTANCE, BAD_USER_INPUT).',
    args: { input: t.arg({ type: NotificationPreferencesInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const userId = notifiedUser(ctx);
      const prefs = validatePreferences(args.input);
      const data = { ...prefs, timeWindows: prefs.timeWindows as unknown as object };
      return ctx.db.notificationPreference.upsert({ where: { userId }, create: { userId, ...data }, update: data });
    },
  }),
  clearNotificationPreferences: t.field({
    type: 'Boolean',
    description: 'Stops all notifications of the signed-in user (the preferences are removed).',
    resolve: async (_root, _args, ctx) => {
      const { count } = await ctx.db.notificationPreference.deleteMany({ where: { userId: notifiedUser(ctx) } });
      return count > 0;
    },
  }),
}));
