/**
 * A venue's opening hours and live status as stored: the rows to and from the rules of src/domain/opening-hours.ts
 * and live-status.ts, batched per request (DataLoaders), and the settings of live status.
 */
import { badInput, loaderByParent, loadIntSettings } from '@eventgraph/runtime';
import DataLoader from 'dataloader';
import type { EventsDb, EventsTx } from './context';
import { predictionsOf } from './crowd-model';
import { isoDate, type OpeningHours } from './domain/opening-hours';
import { DEFAULT_RULES, statusFromOccupancy, type CrowdLevel, type LiveStatus, type LiveStatusRules } from './domain/live-status';
import { pointCells } from './domain/search-keys';
import { currentStatus, type StatusSources } from './domain/status-precedence';
import type {
  Venue,
  VenueOpeningException,
  VenueOpeningInterval,
  VenueReportAggregate,
  VenueStatus,
} from './generated/prisma/client';

let rules: LiveStatusRules | undefined;

/**
 * The settings of live status, read once: EVENTS_STATUS_DEFAULT_VALIDITY_MINUTES (60) and
 * EVENTS_STATUS_MAX_VALIDITY_MINUTES (720) bound a business status; EVENTS_REPORT_INTERVAL_MINUTES (10) is the
 * rate limit of a user's reports per venue; EVENTS_REPORT_WINDOW_MINUTES (45) how long reports count;
 * EVENTS_REPORT_MIN_USERS (3) how many distinct users must agree before reports show.
 */
export function liveStatusRules(env: Record<string, string | undefined> = process.env): LiveStatusRules {
  if (rules) return rules;
  const s = loadIntSettings(
    {
      EVENTS_STATUS_DEFAULT_VALIDITY_MINUTES: [DEFAULT_RULES.defaultValidityMinutes, 1, 1440],
      EVENTS_STATUS_MAX_VALIDITY_MINUTES: [DEFAULT_RULES.maxValidityMinutes, 1, 10_080],
      EVENTS_REPORT_INTERVAL_MINUTES: [DEFAULT_RULES.reportIntervalMinutes, 0, 1440],
      EVENTS_REPORT_WINDOW_MINUTES: [DEFAULT_RULES.reportWindowMinutes, 1, 1440],
      EVENTS_REPORT_MIN_USERS: [DEFAULT_RULES.minAgreeingUsers, 2, 1000],
    },
    env,
  );
  rules = {
    defaultValidityMinutes: Math.min(s.EVENTS_STATUS_DEFAULT_VALIDITY_MINUTES, s.EVENTS_STATUS_MAX_VALIDITY_MINUTES),
    maxValidityMinutes: s.EVENTS_STATUS_MAX_VALIDITY_MINUTES,
    reportIntervalMinutes: s.EVENTS_REPORT_INTERVAL_MINUTES,
    reportWindowMinutes: s.EVENTS_REPORT_WINDOW_MINUTES,
    minAgreeingUsers: s.EVENTS_REPORT_MIN_USERS,
  };
  return rules;
}

const dateOf = (iso: string) => new Date(`${iso}T00:00:00Z`);
const isoOf = (date: Date) => isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());

/**
 * Search decides openNow in SQL with PostgreSQL's zone data (search-sql.ts): a venue's zone must be one the database
 * knows too, checked where a zone is set (venues) and where hours are (venues from before this check).
 */
export async function zoneKnownToDatabase(db: EventsDb, timeZone: string, field: string): Promise<void> {
  try {
    await db.$queryRaw`SELECT now() AT TIME ZONE ${timeZone}`;
  } catch {
    throw badInput(field, `the time zone ${timeZone} is not known to the database; choose another zone`);
  }
}

/** Rows as hours (no rows: no hours). */
export function hoursOf(intervals: VenueOpeningInterval[], exceptions: VenueOpeningException[]): OpeningHours {
  const interval = (i: VenueOpeningInterval) => ({ opens: i.opensMinute, closes: i.closesMinute });
  return {
    weekly: intervals
      .filter((i) => i.date === null)
      .map((i) => ({ weekday: i.weekday, ...interval(i) }))
      .sort((a, b) => a.weekday - b.weekday || a.opens - b.opens),
    exceptions: exceptions
      .map((x) => {
        const date = isoOf(x.date);
        const own = intervals.filter((i) => i.date !== null && isoOf(i.date) === date).map(interval);
        return { date, note: x.note, intervals: own.sort((a, b) => a.opens - b.opens) };
      })
      .sort((a, b) => a.date.localeCompare(b.date)),
  };
}

/** Replaces a venue's hours (weekly and exceptions) with `hours`. */
export async function storeHours(tx: EventsTx, venueId: string, hours: OpeningHours): Promise<void> {
  await tx.venueOpeningInterval.deleteMany({ where: { venueId } });
  await tx.venueOpeningException.deleteMany({ where: { venueId } });
  const rows = [
    ...hours.weekly.map((w) => ({ venueId, weekday: w.weekday, opensMinute: w.opens, closesMinute: w.closes })),
    ...hours.exceptions.flatMap((x) =>
      x.intervals.map((iv) => {
        const date = dateOf(x.date);
        return { venueId, date, weekday: ((date.getUTCDay() + 6) % 7) + 1, opensMinute: iv.opens, closesMinute: iv.closes };
      }),
    ),
  ];
  if (rows.length) await tx.venueOpeningInterval.createMany({ data: rows });
  if (hours.exceptions.length) {
    await tx.venueOpeningException.createMany({
      data: hours.exceptions.map((x) => ({ venueId, date: dateOf(x.date), note: x.note })),
    });
  }
}

/** A business status row as a live status (expired or not: currentStatus judges). */
export const businessStatusOf = (s: VenueStatus): LiveStatus => ({
  open: s.open,
  crowdLevel: s.crowdLevel as CrowdLevel | null,
  waitMinutes: s.waitMinutes,
  special: s.special,
  source: 'BUSINESS',
  confidence: 1,
  validUntil: s.validUntil,
  updatedAt: s.updatedAt,
});

/** A stored aggregate of reports as a live status (expired or not: the readers judge). */
export const reportAggregateOf = (a: VenueReportAggregate): LiveStatus => ({
  open: a.open,
  crowdLevel: a.crowdLevel as CrowdLevel | null,
  waitMinutes: a.waitMinutes,
  special: null,
  source: 'USER_REPORTS',
  confidence: a.confidence,
  validUntil: a.validUntil,
  updatedAt: a.updatedAt,
});

/**
 * Each venue's sources of live status now, valid ones only, read with a few small statements (indexed by venue):
 * the organisation's status, the aggregate of reports as kept (report-aggregates.ts; search reads the same row),
 * the readings of the events with gates running there, and the prediction of the usual crowd of this hour.
 */
async function statusSourcesOf(db: EventsDb, venueIds: readonly string[], now: Date): Promise<StatusSources[]> {
  const ids = [...venueIds];
  const [business, aggregates, events, venues] = await Promise.all([
    db.venueStatus.findMany({ where: { venueId: { in: ids }, validUntil: { gt: now } } }),
    db.venueReportAggregate.findMany({ where: { venueId: { in: ids }, validUntil: { gt: now } } }),
    // events at the venue running now, and what check-ins measured of them
    db.event.findMany({
      where: { venueId: { in: ids }, startsAt: { lte: now }, endsAt: { gt: now } },
      select: { id: true, venueId: true, endsAt: true },
    }),
    db.venue.findMany({ where: { id: { in: ids } }, select: { id: true, timeZone: true } }),
  ]);
  const predictions = await predictionsOf(db, venues, now);
  const occupancy = events.length
    ? await db.seriesOccupancy.findMany({ where: { eventId: { in: events.map((e) => e.id) } } })
    : [];
  return ids.map((venueId) => {
    const own = business.find((b) => b.venueId === venueId);
    const reports = aggregates.find((a) => a.venueId === venueId);
    const running = new Map(events.filter((e) => e.venueId === venueId).map((e) => [e.id, e.endsAt]));
    const readings = occupancy
      .filter((o) => running.has(o.eventId))
      .map((o) => ({
        insideNow: o.insideNow,
        capacity: o.capacity,
        observedAt: o.observedAt,
        eventEndsAt: running.get(o.eventId)!,
      }));
    return {
      business: own ? businessStatusOf(own) : null,
      checkIns: statusFromOccupancy(readings, now),
      reports: reports ? reportAggregateOf(reports) : null,
      prediction: predictions[venues.findIndex((v) => v.id === venueId)] ?? null,
    };
  });
}

/** per database: each venue's live status after the latest status change delivered to subscribers */
const afterChanges = new WeakMap<EventsDb, Map<string, { changeId: string; status: Promise<LiveStatus | null> }>>();

/**
 * A venue's live status after one `venue_status.changed` (bus event `changeId`), read once however many subscribers
 * in this process resolve that change (a busy area has many); the map keeps only the newest change of each venue.
 */
export function liveStatusAfter(db: EventsDb, venueId: string, changeId: string): Promise<LiveStatus | null> {
  let latest = afterChanges.get(db);
  if (!latest) afterChanges.set(db, (latest = new Map()));
  const known = latest.get(venueId);
  if (known?.changeId === changeId) return known.status;
  const now = new Date();
  const status = statusSourcesOf(db, [venueId], now).then(([sources]) => currentStatus(sources!, now));
  latest.set(venueId, { changeId, status });
  return status;
}

/** Per request: each venue's hours and live status, batched across the venues a page shows. */
export function createPlaceLoaders(db: EventsDb) {
  return {
    openingIntervals: loaderByParent(
      (ids) => db.venueOpeningInterval.findMany({ where: { venueId: { in: [...ids] } } }),
      (i) => i.venueId,
    ),
    openingExceptions: loaderByParent(
      (ids) => db.venueOpeningException.findMany({ where: { venueId: { in: [...ids] } } }),
      (x) => x.venueId,
    ),
    /** each venue's sources of live status (domain/status-precedence decides what shows and openNow) */
    statusSources: new DataLoader<string, StatusSources>((ids) => statusSourcesOf(db, ids, new Date())),
  };
}

export type PlaceLoaders = ReturnType<typeof createPlaceLoaders>;

/** A venue's hours through the request's loaders. */
export async function loadHours(loaders: PlaceLoaders, venueId: string): Promise<OpeningHours> {
  const [intervals, exceptions] = await Promise.all([
    loaders.openingIntervals.load(venueId),
    loaders.openingExceptions.load(venueId),
  ]);
  return hoursOf(intervals, exceptions);
}

type PlacedVenue = Pick<Venue, 'id' | 'organizationId' | 'latitude' | 'longitude'>;

export const VENUE_STATUS_TOPIC = 'venue_status.changed';

/** What `venue_status.changed` carries: the venue, its place keys (domain/search-keys) for the area subscription, what changed. */
export const statusChangePayload = (venue: PlacedVenue, changed: string[]) => ({
  venueId: venue.id,
  organizationId: venue.organizationId,
  cells: venue.latitude != null && venue.longitude != null ? pointCells(venue.latitude, venue.longitude) : [],
  changed,
});

/** Announces that what a venue's status shows may have changed: its subscribers (by venue and by cell) hear it. */
export async function announceStatusChange(
  announce: (topic: string, payload: Record<string, unknown>) => Promise<void>,
  venue: PlacedVenue,
  changed: string[],
): Promise<void> {
  await announce(VENUE_STATUS_TOPIC, statusChangePayload(venue, changed));
}
