/**
 * The model of usual crowds as stored (VenueCrowdModel, one row per venue and hour of the week): observations
 * written in the transaction of what observed them, predictions read with a venue's other sources.
 */
import { loadIntSettings, runPeriodically, type ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb, EventsTx } from './context';
import {
  DEFAULT_CROWD_MODEL,
  learnCrowd,
  localHour,
  predictCrowd,
  type CrowdModel,
  type CrowdModelRules,
} from './domain/crowd-prediction';
import type { CrowdLevel, LiveStatus } from './domain/live-status';
import type { Venue } from './generated/prisma/client';

let rules: CrowdModelRules | undefined;

/** EVENTS_PREDICTION_MIN_SAMPLES (3): samples of an hour of the week before its prediction shows; read once. */
export function crowdModelRules(env: Record<string, string | undefined> = process.env): CrowdModelRules {
  rules ??= {
    ...DEFAULT_CROWD_MODEL,
    minSamples: loadIntSettings({ EVENTS_PREDICTION_MIN_SAMPLES: [DEFAULT_CROWD_MODEL.minSamples, 1, 1000] }, env)
      .EVENTS_PREDICTION_MIN_SAMPLES,
  };
  return rules;
}

type ZonedVenue = Pick<Venue, 'id' | 'timeZone'>;

/**
 * Teaches the venue's model the crowd level observed at `at` (nothing without one), unless this hour of the venue
 * was sampled already. The row is held while it is learnt, so two observations at once count once.
 */
export async function observeCrowd(tx: EventsTx, venue: ZonedVenue, observed: CrowdLevel | null, at = new Date()) {
  if (!observed) return;
  const hour = localHour(venue.timeZone, at);
  const key = { venueId: venue.id, hourOfWeek: hour.hourOfWeek };
  const [row] = await tx.$queryRaw<CrowdModel[]>`
    SELECT "level", "weight", "samples", "lastSampleAt" FROM "VenueCrowdModel"
    WHERE "venueId" = ${venue.id}::uuid AND "hourOfWeek" = ${hour.hourOfWeek} FOR UPDATE`;
  const next = learnCrowd(row ?? null, observed, at, hour.start, crowdModelRules());
  if (!next) return;
  // a first sample inserted by another transaction meanwhile took this hour: skipDuplicates leaves it
  if (!row) await tx.venueCrowdModel.createMany({ data: [{ ...key, ...next }], skipDuplicates: true });
  else await tx.venueCrowdModel.update({ where: { venueId_hourOfWeek: key }, data: next });
}

/** Each venue's prediction for its current hour (null before enough samples), in the order of `venues`. */
export async function predictionsOf(db: EventsDb, venues: readonly ZonedVenue[], now: Date): Promise<(LiveStatus | null)[]> {
  if (!venues.length) return [];
  const hours = venues.map((v) => localHour(v.timeZone, now));
  const models = await db.venueCrowdModel.findMany({
    where: { OR: venues.map((v, i) => ({ venueId: v.id, hourOfWeek: hours[i]!.hourOfWeek })) },
  });
  return venues.map((v, i) => {
    const model = models.find((m) => m.venueId === v.id && m.hourOfWeek === hours[i]!.hourOfWeek);
    return predictCrowd(model ?? null, hours[i]!.end, crowdModelRules());
  });
}

/** EVENTS_PREDICTION_SAMPLE_INTERVAL_MS: how often standing sources are sampled (default 5 minutes). */
export const crowdSampleIntervalMs = (env: Record<string, string | undefined> = process.env) =>
  loadIntSettings({ EVENTS_PREDICTION_SAMPLE_INTERVAL_MS: [300_000, 10, 3_600_000] }, env).EVENTS_PREDICTION_SAMPLE_INTERVAL_MS;

/**
 * A source that stands for hours (an organisation's status, users' agreeing reports) is observed when it is set, but
 * it says something of every hour it holds: this pass teaches each such venue's model the crowd level it shows now,
 * once per hour of the venue (observeCrowd leaves an hour already sampled). Returns the venues it looked at.
 */
export async function sampleStandingCrowds(db: EventsDb, now = new Date()): Promise<number> {
  const standing = await db.$queryRaw<{ id: string; timeZone: string; crowdLevel: CrowdLevel }[]>`
    SELECT v."id"::text AS "id", v."timeZone", COALESCE(s."crowdLevel", a."crowdLevel")::text AS "crowdLevel"
    FROM "Venue" v
    LEFT JOIN "VenueStatus" s ON s."venueId" = v."id" AND s."validUntil" > ${now} AND s."crowdLevel" IS NOT NULL
    LEFT JOIN "VenueReportAggregate" a ON a."venueId" = v."id" AND a."validUntil" > ${now} AND a."crowdLevel" IS NOT NULL
    WHERE s."venueId" IS NOT NULL OR a."venueId" IS NOT NULL`;
  for (const venue of standing) await db.$transaction((tx) => observeCrowd(tx, venue, venue.crowdLevel, now));
  return standing.length;
}

/** The events subgraph's consumer that samples standing sources, at start and then every interval. */
export const sampleVenueCrowds = ({ db, log }: ConsumerServices<EventsDb>) =>
  runPeriodically('crowd sampling', crowdSampleIntervalMs(), () => sampleStandingCrowds(db), log);
