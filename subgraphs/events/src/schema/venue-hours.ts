import { notFound, parseId, requirePermission } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { EventsContext } from '../context';
import {
  checkOpeningHours,
  clockTime,
  hasHours,
  isOpenAt,
  openingState,
  WEEKDAYS,
  weekdayName,
  type Interval,
  type OpeningHours,
  type WeeklyInterval,
} from '../domain/opening-hours';
import { openNowOf } from '../domain/status-precedence';
import type { Venue } from '../generated/prisma/client';
import { announceStatusChange, loadHours, storeHours, zoneKnownToDatabase } from '../venue-places';
import { VenueRef } from './venue';

/** Opening hours of venues: what they are, whether a venue is open now, and how its organisation sets them. */

export const WeekdayEnum = builder.enumType('Weekday', { values: WEEKDAYS });

const TimeRangeRef = builder.objectRef<Interval>('OpeningTimeRange').implement({
  description: "Times on the venue's wall clock; a closing time not after the opening is on the next day.",
  fields: (t) => ({
    opens: t.string({ description: 'HH:MM', resolve: (i) => clockTime(i.opens) }),
    closes: t.string({
      description: 'HH:MM (24:00: midnight); not after opens: the next day',
      resolve: (i) => clockTime(i.closes),
    }),
  }),
});

const WeeklyIntervalRef = builder.objectRef<WeeklyInterval>('WeeklyOpeningInterval').implement({
  fields: (t) => ({
    weekday: t.field({ type: WeekdayEnum, description: 'the day it opens', resolve: (w) => weekdayName(w.weekday) }),
    opens: t.string({ description: 'HH:MM', resolve: (w) => clockTime(w.opens) }),
    closes: t.string({
      description: 'HH:MM (24:00: midnight); not after opens: the next day',
      resolve: (w) => clockTime(w.closes),
    }),
  }),
});

const ExceptionRef = builder.objectRef<OpeningHours['exceptions'][number]>('OpeningException').implement({
  description: 'A date (the venue’s own) whose hours are not the weekly ones.',
  fields: (t) => ({
    date: t.exposeString('date', { description: 'YYYY-MM-DD' }),
    closed: t.boolean({ resolve: (x) => x.intervals.length === 0 }),
    intervals: t.field({ type: [TimeRangeRef], resolve: (x) => x.intervals }),
    note: t.exposeString('note', { nullable: true }),
  }),
});

const OpeningHoursRef = builder.objectRef<OpeningHours>('OpeningHours').implement({
  description: "A venue's weekly hours in its time zone, and the dates that differ.",
  fields: (t) => ({
    weekly: t.field({ type: [WeeklyIntervalRef], resolve: (h) => h.weekly }),
    exceptions: t.field({ type: [ExceptionRef], resolve: (h) => h.exceptions }),
  }),
});

/** Open now by domain/status-precedence openNowOf: the business, check-in data, users' agreeing reports, the hours. */
export async function openNow(ctx: EventsContext, venue: Venue, at = new Date()): Promise<boolean | null> {
  const [sources, hours] = await Promise.all([ctx.loaders.statusSources.load(venue.id), loadHours(ctx.loaders, venue.id)]);
  return openNowOf(sources, at, () => (hasHours(hours) ? isOpenAt(hours, venue.timeZone, at) : null));
}

builder.objectFields(VenueRef, (t) => ({
  openingHours: t.field({
    type: OpeningHoursRef,
    nullable: true,
    description: 'null until the organisation sets hours',
    resolve: async (venue, _args, ctx) => {
      const hours = await loadHours(ctx.loaders, venue.id);
      return hasHours(hours) ? hours : null;
    },
  }),
  openNow: t.boolean({
    nullable: true,
    description:
      "Whether the venue is open now: the first current source that says open or closed — its organisation's live status, an event with gates running there (open), what enough users agree on — else its opening hours; null with none (a prediction never decides it)",
    resolve: (venue, _args, ctx) => openNow(ctx, venue),
  }),
  nextOpeningAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'the next opening by the hours (when open: the one after this closing); null beyond 60 days',
    resolve: async (venue, _args, ctx) =>
      openingState(await loadHours(ctx.loaders, venue.id), venue.timeZone, new Date()).nextOpeningAt,
  }),
  nextClosingAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'the next closing by the hours (when closed: that of the next opening); null beyond 60 days',
    resolve: async (venue, _args, ctx) =>
      openingState(await loadHours(ctx.loaders, venue.id), venue.timeZone, new Date()).nextClosingAt,
  }),
}));

const TimeRangeInput = builder.inputType('OpeningTimeRangeInput', {
  fields: (t) => ({
    opens: t.string({ required: true, description: 'HH:MM' }),
    closes: t.string({ required: true, description: 'HH:MM, 24:00 for midnight; not after opens: the next day' }),
  }),
});

const WeeklyIntervalInput = builder.inputType('WeeklyOpeningIntervalInput', {
  fields: (t) => ({
    weekday: t.field({ type: WeekdayEnum, required: true }),
    opens: t.string({ required: true, description: 'HH:MM' }),
    closes: t.string({ required: true, description: 'HH:MM, 24:00 for midnight; not after opens: the next day' }),
  }),
});

const ExceptionInput = builder.inputType('OpeningExceptionInput', {
  fields: (t) => ({
    date: t.string({ required: true, description: 'YYYY-MM-DD in the venue’s time zone' }),
    closed: t.boolean({ description: 'closed all day (give no intervals)' }),
    intervals: t.field({ type: [TimeRangeInput], description: 'the hours opening on that date, instead of the weekly ones' }),
    note: t.string({ description: 'e.g. "Public holiday"' }),
  }),
});

const OpeningHoursInput = builder.inputType('OpeningHoursInput', {
  fields: (t) => ({
    weekly: t.field({ type: [WeeklyIntervalInput], required: true }),
    exceptions: t.field({ type: [ExceptionInput] }),
  }),
});

builder.mutationFields((t) => ({
  setVenueOpeningHours: t.field({
    type: VenueRef,
    description:
      "Replaces a venue's opening hours (weekly intervals on its wall clock, nights past midnight, dates that differ). Its organisation's managers.",
    args: { venueId: t.arg.id({ required: true }), hours: t.arg({ type: OpeningHoursInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const venueId = parseId('venueId', args.venueId);
      const venue = await ctx.db.venue.findUnique({ where: { id: venueId } });
      if (!venue) throw notFound('Venue', venueId);
      requirePermission(ctx.principal, 'events.write', venue.organizationId);
      const hours = checkOpeningHours(args.hours);
      await zoneKnownToDatabase(ctx.db, venue.timeZone, 'venueId');
      return ctx.transact(async (tx, announce) => {
        await storeHours(tx, venueId, hours);
        // the hours decide openNow: subscribers of the venue's status hear it
        await announceStatusChange(announce, venue, ['openingHours']);
        return tx.venue.update({ where: { id: venueId }, data: { updatedAt: new Date() } });
      });
    },
  }),
}));
