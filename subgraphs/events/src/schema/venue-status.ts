import {
  badInput,
  clearLoaders,
  DomainError,
  ErrorCode,
  liveEvents,
  notFound,
  parseId,
  requireAuthenticated,
  requirePermission,
  type BusEvent,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { EventsContext } from '../context';
import {
  checkBusinessStatus,
  checkReport,
  CROWD_LEVELS,
  reportRetryAfterSeconds,
  STATUS_SOURCES,
  type LiveStatus,
} from '../domain/live-status';
import { isPlaceCell } from '../domain/search-keys';
import { currentStatus } from '../domain/status-precedence';
import { userOf } from '../visibility';
import { announceStatusChange, liveStatusAfter, liveStatusRules, VENUE_STATUS_TOPIC } from '../venue-places';
import { observeCrowd } from '../crowd-model';
import { holdVenue, recomputeReportAggregate } from '../report-aggregates';
import { VenueRef } from './venue';

/** A venue's live status: what it is now, how its organisation sets it, how users report it, who hears changes. */

export const CrowdLevelEnum = builder.enumType('CrowdLevel', { values: CROWD_LEVELS });
const StatusSourceEnum = builder.enumType('VenueStatusSource', {
  description:
    "BUSINESS: the venue's organisation; USER_REPORTS: signed-in users agreeing; CHECK_IN_DATA: occupancy at the gates of an event running there; PREDICTION: the usual crowd of this hour of the week, learnt from what was observed at it (crowd level only, confidence below 0.6, valid until the hour ends)",
  values: STATUS_SOURCES,
});

const LiveStatusRef = builder.objectRef<LiveStatus>('VenueLiveStatus').implement({
  description: 'What is known of a venue right now; it lapses by itself at validUntil.',
  fields: (t) => ({
    open: t.exposeBoolean('open', { nullable: true }),
    crowdLevel: t.field({ type: CrowdLevelEnum, nullable: true, resolve: (s) => s.crowdLevel }),
    waitMinutes: t.exposeInt('waitMinutes', { nullable: true }),
    special: t.exposeString('special', { nullable: true, description: 'e.g. "happy hour", "live music"' }),
    source: t.field({ type: StatusSourceEnum, resolve: (s) => s.source }),
    confidence: t.exposeFloat('confidence', { description: '0 to 1 (1: the business itself)' }),
    validUntil: t.field({ type: 'DateTime', resolve: (s) => s.validUntil }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
  }),
});

builder.objectFields(VenueRef, (t) => ({
  liveStatus: t.field({
    type: LiveStatusRef,
    nullable: true,
    description:
      "Now: the organisation's status while valid, else the crowd measured at the gates of an event running here, else what enough users agree on, else the usual crowd of this hour (PREDICTION); null when none is current",
    resolve: async (venue, _args, ctx) => currentStatus(await ctx.loaders.statusSources.load(venue.id), new Date()),
  }),
}));

const SetStatusInput = builder.inputType('SetVenueStatusInput', {
  fields: (t) => ({
    open: t.boolean(),
    crowdLevel: t.field({ type: CrowdLevelEnum }),
    waitMinutes: t.int({ description: '0 to 600' }),
    special: t.string({ description: 'at most 80 characters, e.g. "happy hour"' }),
    validUntil: t.field({
      type: 'DateTime',
      description: 'default: EVENTS_STATUS_DEFAULT_VALIDITY_MINUTES from now; at most EVENTS_STATUS_MAX_VALIDITY_MINUTES',
    }),
  }),
});

const ReportInput = builder.inputType('VenueStatusReportInput', {
  fields: (t) => ({
    open: t.boolean(),
    crowdLevel: t.field({ type: CrowdLevelEnum }),
    waitMinutes: t.int({ description: '0 to 600' }),
  }),
});

/** The venue named by an argument (NOT_FOUND when there is none). */
async function venueToChange(ctx: EventsContext, id: string) {
  const venueId = parseId('venueId', id);
  const venue = await ctx.db.venue.findUnique({ where: { id: venueId } });
  if (!venue) throw notFound('Venue', venueId);
  return venue;
}

builder.mutationFields((t) => ({
  setVenueStatus: t.field({
    type: VenueRef,
    description: "Sets what the venue's organisation says of it now, until validUntil (managers, org:write keys).",
    args: { venueId: t.arg.id({ required: true }), input: t.arg({ type: SetStatusInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const venue = await venueToChange(ctx, args.venueId);
      requirePermission(ctx.principal, 'events.write', venue.organizationId);
      const status = checkBusinessStatus(args.input, new Date(), liveStatusRules());
      const setBy = `${ctx.principal.kind}:${ctx.principal.id ?? ''}`;
      return ctx.transact(async (tx, announce) => {
        const data = { ...status, setBy, updatedAt: new Date() };
        await tx.venueStatus.upsert({ where: { venueId: venue.id }, create: { venueId: venue.id, ...data }, update: data });
        await observeCrowd(tx, venue, status.crowdLevel);
        await announceStatusChange(announce, venue, ['liveStatus']);
        return venue;
      });
    },
  }),
  clearVenueStatus: t.field({
    type: VenueRef,
    description: "Ends the organisation's own status now (the hours, check-ins and reports show again).",
    args: { venueId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const venue = await venueToChange(ctx, args.venueId);
      requirePermission(ctx.principal, 'events.write', venue.organizationId);
      return ctx.transact(async (tx, announce) => {
        const ended = await tx.venueStatus.deleteMany({ where: { venueId: venue.id } });
        if (ended.count) await announceStatusChange(announce, venue, ['liveStatus']);
        return venue;
      });
    },
  }),
  reportVenueStatus: t.field({
    type: VenueRef,
    description:
      'A signed-in user reports a venue (open, crowd level, wait): once per venue every EVENTS_REPORT_INTERVAL_MINUTES (RATE_LIMITED with retryAfterSeconds). Reports show only once enough users agree.',
    args: { venueId: t.arg.id({ required: true }), input: t.arg({ type: ReportInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      requireAuthenticated(ctx.principal);
      const userId = userOf(ctx.principal);
      if (!userId) throw new DomainError(ErrorCode.FORBIDDEN, 'only signed-in users report venues');
      const venue = await venueToChange(ctx, args.venueId);
      const facts = checkReport(args.input);
      const rules = liveStatusRules();
      return ctx.transact(async (tx, announce) => {
        // the rate limit in one statement: the slot moves forward only when the interval has passed (by the
        // database's clock), so two reports at once cannot both pass
        const taken = await tx.$queryRaw<{ at: Date }[]>`
          INSERT INTO "VenueReportSlot" ("userId", "venueId", "lastReportAt") VALUES (${userId}::uuid, ${venue.id}::uuid, now())
          ON CONFLICT ("userId", "venueId") DO UPDATE SET "lastReportAt" = EXCLUDED."lastReportAt"
            WHERE "VenueReportSlot"."lastReportAt" <= EXCLUDED."lastReportAt" - make_interval(mins => ${rules.reportIntervalMinutes}::int)
          RETURNING "lastReportAt" AS at`;
        if (!taken.length) {
          const [slot] = await tx.$queryRaw<{ last: Date; now: Date }[]>`
            SELECT "lastReportAt" AS last, now() AS now FROM "VenueReportSlot" WHERE "userId" = ${userId}::uuid AND "venueId" = ${venue.id}::uuid`;
          const retryAfterSeconds = Math.max(1, reportRetryAfterSeconds(slot!.last, slot!.now, rules));
          throw new DomainError(ErrorCode.RATE_LIMITED, `you reported this venue lately; again in ${retryAfterSeconds} seconds`, {
            retryAfterSeconds,
          });
        }
        const at = taken[0]!.at;
        await holdVenue(tx, venue.id);
        await tx.venueStatusReport.create({ data: { venueId: venue.id, userId, ...facts, createdAt: at } });
        // by the later of the two clocks, so the report just taken counts
        const { after } = await recomputeReportAggregate(tx, venue.id, new Date(Math.max(Date.now(), at.getTime())));
        await observeCrowd(tx, venue, after?.crowdLevel ?? null, at);
        await announceStatusChange(announce, venue, ['reports']);
        return venue;
      });
    },
  }),
}));

interface StatusChange {
  venueId: string;
  changed: string[];
  /** the bus event's id: the live status after it is read once per process */
  changeId: string;
}

const StatusChangeRef = builder.objectRef<StatusChange>('VenueStatusChange').implement({
  description: 'What a venue shows may have changed: its live status and openNow as they are when delivered.',
  fields: (t) => ({
    venueId: t.exposeID('venueId'),
    changed: t.exposeStringList('changed', { description: 'liveStatus, reports, checkIns or openingHours' }),
    venue: t.field({ type: VenueRef, nullable: true, resolve: (c, _args, ctx) => ctx.loaders.venue.load(c.venueId) }),
    liveStatus: t.field({
      type: LiveStatusRef,
      nullable: true,
      resolve: (c, _args, ctx) => liveStatusAfter(ctx.db, c.venueId, c.changeId),
    }),
  }),
});

const changeOf = ({ id, payload }: BusEvent): StatusChange => ({
  venueId: payload.venueId as string,
  changed: (payload.changed as string[] | undefined) ?? [],
  changeId: id,
});

builder.subscriptionFields((t) => ({
  venueStatusChanged: t.field({
    type: StatusChangeRef,
    description: "A venue's live status or hours changed (venues are public: anyone may follow one).",
    args: { venueId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const venue = await venueToChange(ctx, args.venueId);
      return liveEvents(ctx.bus, VENUE_STATUS_TOPIC, (e) => e.payload.venueId === venue.id);
    },
    resolve: (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      return changeOf(busEvent);
    },
  }),
  venueStatusChangedInArea: t.field({
    type: StatusChangeRef,
    description:
      'Status changes of the venues in a cell: a place key G<k>y<i>x<j> of 1/k degree (k = 1, 3, 10, 30, 100), i = floor((latitude + 90) k), j = floor((longitude + 180) k).',
    args: { cell: t.arg.string({ required: true }) },
    subscribe: (_root, args, ctx) => {
      if (!isPlaceCell(args.cell)) throw badInput('cell', 'a place key G<k>y<i>x<j> with k one of 1, 3, 10, 30, 100');
      const cell = args.cell;
      return liveEvents(ctx.bus, VENUE_STATUS_TOPIC, (e) => ((e.payload.cells as string[] | undefined) ?? []).includes(cell));
    },
    resolve: (busEvent, _args, ctx) => {
      clearLoaders(ctx.loaders);
      return changeOf(busEvent);
    },
  }),
}));
