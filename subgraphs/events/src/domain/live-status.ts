/**
 * A venue's live status: open or closed, how crowded, the wait, a special status, where it comes from and how
 * sure it is, until when. Pure rules: what a status and a report may say, the rate limit of reports, the
 * aggregate of users' reports (never one person's word) and when it changes by itself, the crowd level from
 * check-in data. Which source wins: status-precedence.ts; the usual crowd: crowd-prediction.ts. Expiry is judged
 * at read time, by the clock: nothing has to run for a status to lapse.
 */
import { badInput } from '@eventgraph/runtime';

export const CROWD_LEVELS = ['EMPTY', 'QUIET', 'MODERATE', 'BUSY', 'PACKED'] as const;
export type CrowdLevel = (typeof CROWD_LEVELS)[number];
/** PREDICTION: the model of usual crowds (domain/crowd-prediction.ts) */
export const STATUS_SOURCES = ['BUSINESS', 'USER_REPORTS', 'CHECK_IN_DATA', 'PREDICTION'] as const;
export type StatusSource = (typeof STATUS_SOURCES)[number];

export const MAX_WAIT_MINUTES = 600;
export const MAX_SPECIAL_LENGTH = 80;

/** The settings of live status (env EVENTS_STATUS_*, see src/live-status-settings.ts). */
export interface LiveStatusRules {
  /** a business status without validUntil lasts this long */
  defaultValidityMinutes: number;
  /** and may not be set for longer than this */
  maxValidityMinutes: number;
  /** one report per user and venue per this many minutes */
  reportIntervalMinutes: number;
  /** reports older than this do not count */
  reportWindowMinutes: number;
  /** a value from reports is shown only when at least this many distinct users agree on it */
  minAgreeingUsers: number;
}

export const DEFAULT_RULES: LiveStatusRules = {
  defaultValidityMinutes: 60,
  maxValidityMinutes: 720,
  reportIntervalMinutes: 10,
  reportWindowMinutes: 45,
  minAgreeingUsers: 3,
};

export interface StatusFacts {
  open: boolean | null;
  crowdLevel: CrowdLevel | null;
  waitMinutes: number | null;
}

export interface LiveStatus extends StatusFacts {
  special: string | null;
  source: StatusSource;
  /** 0..1: 1 for the business's own word */
  confidence: number;
  validUntil: Date;
  updatedAt: Date;
}

interface FactsInput {
  open?: boolean | null;
  crowdLevel?: CrowdLevel | null;
  waitMinutes?: number | null;
}

function checkFacts(input: FactsInput): StatusFacts {
  const wait = input.waitMinutes;
  if (wait != null && (!Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_MINUTES)) {
    throw badInput('waitMinutes', `must be a whole number of minutes from 0 to ${MAX_WAIT_MINUTES}`);
  }
  return { open: input.open ?? null, crowdLevel: input.crowdLevel ?? null, waitMinutes: wait ?? null };
}

const says = (facts: StatusFacts) => facts.open !== null || facts.crowdLevel !== null || facts.waitMinutes !== null;

/** What the venue's organisation sets: checked, with its validity within bounds (a default when not given). */
export function checkBusinessStatus(
  input: FactsInput & { special?: string | null; validUntil?: Date | null },
  now: Date,
  rules: LiveStatusRules,
): StatusFacts & { special: string | null; validUntil: Date } {
  const facts = checkFacts(input);
  const special = input.special?.trim() || null;
  if (special && special.length > MAX_SPECIAL_LENGTH) throw badInput('special', `at most ${MAX_SPECIAL_LENGTH} characters`);
  if (!says(facts) && !special) throw badInput('open', 'say at least one of open, crowdLevel, waitMinutes or special');
  const max = now.getTime() + rules.maxValidityMinutes * 60_000;
  const validUntil = input.validUntil ?? new Date(now.getTime() + rules.defaultValidityMinutes * 60_000);
  if (validUntil.getTime() <= now.getTime()) throw badInput('validUntil', 'must be in the future');
  if (validUntil.getTime() > max) throw badInput('validUntil', `at most ${rules.maxValidityMinutes} minutes from now`);
  return { ...facts, special, validUntil };
}

/** What a signed-in user reports: checked like a business status, without a special status or a validity. */
export function checkReport(input: FactsInput): StatusFacts {
  const facts = checkFacts(input);
  if (!says(facts)) throw badInput('open', 'report at least one of open, crowdLevel or waitMinutes');
  return facts;
}

/** Seconds until this user may report the venue again; 0 when a report is due. */
export function reportRetryAfterSeconds(lastReportAt: Date | null, now: Date, rules: LiveStatusRules): number {
  if (!lastReportAt) return 0;
  const due = lastReportAt.getTime() + rules.reportIntervalMinutes * 60_000;
  return Math.max(0, Math.ceil((due - now.getTime()) / 1000));
}

export interface Report extends StatusFacts {
  userId: string;
  createdAt: Date;
}

/** a report's weight halves every this many minutes */
const HALF_LIFE_MINUTES = 15;
/** waits within this many minutes (or a quarter) of the chosen wait agree with it */
const WAIT_TOLERANCE_MINUTES = 5;

interface Vote<T> {
  value: T;
  weight: number;
  userId: string;
  at: number;
}
interface Verdict<T> {
  value: T;
  supporters: number;
  /** the supporters' share of all weight on this question */
  share: number;
  newest: number;
}

/**
 * The value most weight agrees with (`agreement` of a vote with a candidate: 1 the same, less for near values),
 * if at least `k` distinct users agree with it; each vote counts for `weight × agreement`.
 */
function decide<T>(
  votes: Vote<T>[],
  agreement: (vote: T, candidate: T) => number,
  k: number,
  summarise: (agreeing: Vote<T>[], best: T) => T = (_agreeing, best) => best,
): Verdict<T> | null {
  if (!votes.length) return null;
  const total = votes.reduce((sum, v) => sum + v.weight, 0);
  let best: { value: T; score: number } | null = null;
  for (const candidate of votes) {
    const score = votes.reduce((sum, v) => sum + v.weight * agreement(v.value, candidate.value), 0);
    if (!best || score > best.score) best = { value: candidate.value, score };
  }
  const agreeing = votes.filter((v) => agreement(v.value, best!.value) > 0);
  const supporters = new Set(agreeing.map((v) => v.userId)).size;
  if (supporters < k) return null;
  return {
    value: summarise(agreeing, best!.value),
    supporters,
    share: agreeing.reduce((sum, v) => sum + v.weight, 0) / total,
    newest: Math.max(...agreeing.map((v) => v.at)),
  };
}

/**
 * The status users' reports make together: each user's latest report in the window counts once, weighed by its
 * age (halving every 15 minutes) and by how far the others agree with it; a value (open, crowd level, wait) is
 * shown only when at least `minAgreeingUsers` distinct users agree on it (crowds within one level, waits within 5
 * minutes or a quarter). Confidence grows with the agreeing share and the number of agreeing users.
 */
export function aggregateReports(reports: readonly Report[], now: Date, rules: LiveStatusRules): LiveStatus | null {
  const since = now.getTime() - rules.reportWindowMinutes * 60_000;
  const latest = new Map<string, Report>();
  for (const r of reports) {
    if (r.createdAt.getTime() <= since || r.createdAt.getTime() > now.getTime()) continue;
    const known = latest.get(r.userId);
    if (!known || known.createdAt < r.createdAt) latest.set(r.userId, r);
  }
  const votes = <T>(pick: (r: Report) => T | null): Vote<T>[] =>
    [...latest.values()].flatMap((r) => {
      const value = pick(r);
      const ageMinutes = (now.getTime() - r.createdAt.getTime()) / 60_000;
      return value === null
        ? []
        : [{ value, userId: r.userId, at: r.createdAt.getTime(), weight: 0.5 ** (ageMinutes / HALF_LIFE_MINUTES) }];
    });
  const k = rules.minAgreeingUsers;
  const open = decide(
    votes((r) => r.open),
    (a, b) => (a === b ? 1 : 0),
    k,
  );
  const level = (c: CrowdLevel) => CROWD_LEVELS.indexOf(c);
  const crowd = decide(
    votes((r) => r.crowdLevel),
    (a, b) => [1, 0.5][Math.abs(level(a) - level(b))] ?? 0,
    k,
  );
  const wait = decide(
    votes((r) => r.waitMinutes),
    (a, b) => (Math.abs(a - b) <= Math.max(WAIT_TOLERANCE_MINUTES, b / 4) ? 1 : 0),
    k,
    weightedMedian,
  );
  const verdicts = ([open, crowd, wait] as (Verdict<unknown> | null)[]).filter((v): v is Verdict<unknown> => v !== null);
  if (!verdicts.length) return null;
  const supporters = Math.min(...verdicts.map((v) => v.supporters));
  const share = Math.min(...verdicts.map((v) => v.share));
  const newest = Math.max(...verdicts.map((v) => v.newest));
  return {
    open: open?.value ?? null,
    crowdLevel: crowd?.value ?? null,
    waitMinutes: wait?.value ?? null,
    special: null,
    source: 'USER_REPORTS',
    confidence: round(share * (1 - 1 / (1 + supporters))),
    validUntil: new Date(newest + rules.reportWindowMinutes * 60_000),
    updatedAt: new Date(newest),
  };
}

/**
 * When the aggregate of these reports may next change by itself: when the oldest report in the window leaves it.
 * Null with no report in the window (the aggregate is then none, and only a new report changes that).
 */
export function reportsRecomputeAt(reports: readonly Report[], now: Date, rules: LiveStatusRules): Date | null {
  const since = now.getTime() - rules.reportWindowMinutes * 60_000;
  const counted = reports.map((r) => r.createdAt.getTime()).filter((t) => t > since && t <= now.getTime());
  return counted.length ? new Date(Math.min(...counted) + rules.reportWindowMinutes * 60_000) : null;
}

/** The value at half the agreeing votes' weight, in order of value (a wait shown is one users gave). */
function weightedMedian(agreeing: Vote<number>[]): number {
  const sorted = [...agreeing].sort((a, b) => a.value - b.value);
  const half = sorted.reduce((sum, v) => sum + v.weight, 0) / 2;
  let sum = 0;
  for (const v of sorted) if ((sum += v.weight) >= half) return v.value;
  return sorted.at(-1)!.value;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** The crowd level of people inside of a capacity (below a quarter QUIET, below 60 % MODERATE, below 90 % BUSY). */
export function crowdFromOccupancy(insideNow: number, capacity: number): CrowdLevel | null {
  if (capacity <= 0) return null;
  const ratio = insideNow / capacity;
  if (insideNow <= 0) return 'EMPTY';
  if (ratio < 0.25) return 'QUIET';
  if (ratio < 0.6) return 'MODERATE';
  if (ratio < 0.9) return 'BUSY';
  return 'PACKED';
}

export interface Occupancy {
  insideNow: number;
  capacity: number;
  observedAt: Date;
  /** the event it was measured for ends then: the reading lapses with it */
  eventEndsAt: Date;
}

/** The status check-in data gives while the venue's events with gates run (the readings of all of them together). */
export function statusFromOccupancy(readings: readonly Occupancy[], now: Date): LiveStatus | null {
  const current = readings.filter((r) => r.eventEndsAt.getTime() > now.getTime() && r.capacity > 0);
  if (!current.length) return null;
  const inside = current.reduce((n, r) => n + r.insideNow, 0);
  const capacity = current.reduce((n, r) => n + r.capacity, 0);
  return {
    open: true,
    crowdLevel: crowdFromOccupancy(inside, capacity),
    waitMinutes: null,
    special: null,
    source: 'CHECK_IN_DATA',
    confidence: 0.9,
    validUntil: new Date(Math.min(...current.map((r) => r.eventEndsAt.getTime()))),
    updatedAt: new Date(Math.max(...current.map((r) => r.observedAt.getTime()))),
  };
}
