/**
 * A model of a venue's usual crowds: per hour of the week on the venue's wall clock, the mean of the crowd levels
 * observed then (the business's status, the aggregate of reports, check-in readings). Each hour of a venue is
 * sampled at most once, whatever the sources say meanwhile, so a chatty source does not dominate; older samples
 * weigh less (each new one multiplies the past's weight by `decay`) and the past never weighs more than
 * `maxWeight`, so the model follows a venue that changes. Pure: the storage is src/crowd-model.ts.
 */
import { localTime } from '@eventgraph/runtime';
import { CROWD_LEVELS, type CrowdLevel, type LiveStatus } from './live-status';

export interface CrowdModelRules {
  /** samples of an hour before its prediction shows */
  minSamples: number;
  /** the past's weight is multiplied by this at each new sample */
  decay: number;
  /** and never exceeds this (so one sample moves the mean by at least 1 / (maxWeight + 1)) */
  maxWeight: number;
}

export const DEFAULT_CROWD_MODEL: CrowdModelRules = { minSamples: 3, decay: 0.9, maxWeight: 6 };

/** A predicted status is never as sure as an observed one: its confidence stays below this. */
export const MAX_PREDICTION_CONFIDENCE = 0.6;

export interface CrowdModel {
  /** the weighted mean of the levels observed, as an index of CROWD_LEVELS (0 EMPTY … 4 PACKED) */
  level: number;
  weight: number;
  samples: number;
  lastSampleAt: Date;
}

const HOUR = 3_600_000;

/** The venue's wall-clock hour containing `at`: its hour of the week (0 Monday 00:00 … 167 Sunday 23:00), start and end. */
export function localHour(timeZone: string, at: Date): { hourOfWeek: number; start: Date; end: Date } {
  const t = localTime(timeZone, at);
  const weekday = (new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() + 6) % 7;
  const start = new Date(at.getTime() - (t.minute * 60 + t.second) * 1000 - (at.getTime() % 1000));
  return { hourOfWeek: weekday * 24 + t.hour, start, end: new Date(start.getTime() + HOUR) };
}

/**
 * The model after observing `observed` at `at` (in the hour starting `hourStart`); null when this hour was
 * sampled already, so the model is left as it is.
 */
export function learnCrowd(
  model: CrowdModel | null,
  observed: CrowdLevel,
  at: Date,
  hourStart: Date,
  rules: CrowdModelRules,
): CrowdModel | null {
  if (model && model.lastSampleAt.getTime() >= hourStart.getTime()) return null;
  const x = CROWD_LEVELS.indexOf(observed);
  if (!model) return { level: x, weight: 1, samples: 1, lastSampleAt: at };
  const past = Math.min(model.weight * rules.decay, rules.maxWeight);
  return { level: (model.level * past + x) / (past + 1), weight: past + 1, samples: model.samples + 1, lastSampleAt: at };
}

/**
 * What the model expects of this hour (valid until it ends): the crowd level only, with a confidence that grows
 * with the samples and stays below MAX_PREDICTION_CONFIDENCE; null before `minSamples`. Never open or closed.
 */
export function predictCrowd(model: CrowdModel | null, hourEnd: Date, rules: CrowdModelRules): LiveStatus | null {
  if (!model || model.samples < rules.minSamples) return null;
  const level = CROWD_LEVELS[Math.min(CROWD_LEVELS.length - 1, Math.max(0, Math.round(model.level)))]!;
  return {
    open: null,
    crowdLevel: level,
    waitMinutes: null,
    special: null,
    source: 'PREDICTION',
    confidence: Math.round(MAX_PREDICTION_CONFIDENCE * (model.samples / (model.samples + 4)) * 100) / 100,
    validUntil: hourEnd,
    updatedAt: model.lastSampleAt,
  };
}
