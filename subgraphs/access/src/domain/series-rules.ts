/**
 * What makes a series well-formed: its times, its check-in window, its
 * capacity and category limits, and that it does not overlap another series of
 * the same event. Pure: the caller gathers the facts and turns a problem into
 * its error.
 */
export type EntryRule = 'SINGLE_ENTRY' | 'REENTRY' | 'UNLIMITED';

/** A rejected input: a stable code, the field it concerns and a message a person can act on. */
export interface Problem {
  code: string;
  field?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The check-in window may open this long before the series starts (doors, early entry). */
export const EARLY_CHECK_IN_MS = 24 * 3600_000;

export interface SeriesTimes {
  startsAt: Date;
  endsAt: Date;
  checkInOpensAt: Date;
  checkInClosesAt: Date;
}

const badInput = (field: string, message: string): Problem => ({
  code: 'BAD_USER_INPUT',
  field,
  message: `${field}: ${message}`,
});

export function checkSeriesTimes(times: SeriesTimes): Problem | null {
  const { startsAt, endsAt, checkInOpensAt: opens, checkInClosesAt: closes } = times;
  if (endsAt <= startsAt) return badInput('endsAt', 'must be after startsAt');
  if (closes <= opens) return badInput('checkInClosesAt', 'must be after checkInOpensAt');
  const outside = (field: string, message: string): Problem => ({
    code: 'CHECKIN_WINDOW_OUTSIDE_SERIES',
    field,
    message: `${field}: ${message}`,
  });
  if (opens.getTime() < startsAt.getTime() - EARLY_CHECK_IN_MS)
    return outside('checkInOpensAt', 'may open at most 24 hours before the series starts');
  if (opens > endsAt) return outside('checkInOpensAt', 'must open before the series ends');
  if (closes > endsAt) return outside('checkInClosesAt', 'must close by the time the series ends');
  return null;
}

/** The most a series or a category may admit at once (far below the int column's 2,147,483,647). */
export const MAX_CAPACITY = 10_000_000;

export function checkCapacity(field: string, capacity: number): Problem | null {
  return Number.isInteger(capacity) && capacity >= 0 && capacity <= MAX_CAPACITY
    ? null
    : badInput(field, `must be a whole number from 0 to ${MAX_CAPACITY.toLocaleString('en-US')}`);
}

/**
 * A category limit set while the series runs may not be below those of the category inside: the
 * occupancy shards could then admit while the total is still over (an exit frees its shard even if
 * another is over its share). Setting it to the number inside stops admissions.
 */
export function checkLimitCoversInside(field: string, capacity: number, inside: number): Problem | null {
  if (capacity >= inside) return null;
  return {
    code: 'CATEGORY_LIMIT_BELOW_INSIDE',
    field,
    message: `${inside} wristbands of the category are inside; the limit can be ${inside} or more until they leave`,
    details: { inside },
  };
}

/** Wristband categories are upper-cased, so limits are too. */
export const normalizeCategory = (category: string) => category.trim().toUpperCase();

export function checkCategory(field: string, category: string): Problem | null {
  if (!category) return badInput(field, 'must not be empty');
  return category.length <= 40 ? null : badInput(field, 'must be at most 40 characters');
}

export interface CategoryLimitInput {
  category: string;
  capacity: number;
}

/** Normalises the categories and refuses duplicates (GA and ga are the same category). */
export function checkCategoryLimits(limits: CategoryLimitInput[]): { limits: CategoryLimitInput[] } | { problem: Problem } {
  const seen = new Set<string>();
  const normalized: CategoryLimitInput[] = [];
  for (const [i, limit] of limits.entries()) {
    const category = normalizeCategory(limit.category);
    const problem =
      checkCategory(`categoryLimits[${i}].category`, category) ?? checkCapacity(`categoryLimits[${i}].capacity`, limit.capacity);
    if (problem) return { problem };
    if (seen.has(category)) return { problem: badInput(`categoryLimits[${i}].category`, `${category} is given twice`) };
    seen.add(category);
    normalized.push({ category, capacity: limit.capacity });
  }
  return { limits: normalized };
}

export interface ExistingSeries {
  id: string;
  name: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  /** recurring parents are templates: they never admit anyone, so they never overlap */
  isTemplate: boolean;
}

/**
 * The first non-cancelled, non-template series whose time overlaps [startsAt, endsAt)
 * (one ending when the other starts does not overlap).
 */
export function findOverlap(
  candidate: { id?: string; startsAt: Date; endsAt: Date },
  others: ExistingSeries[],
): ExistingSeries | null {
  return (
    others.find(
      (other) =>
        other.id !== candidate.id &&
        other.status !== 'CANCELLED' &&
        !other.isTemplate &&
        other.startsAt < candidate.endsAt &&
        candidate.startsAt < other.endsAt,
    ) ?? null
  );
}

export function overlapProblem(other: ExistingSeries): Problem {
  return {
    code: 'SERIES_OVERLAP',
    field: 'startsAt',
    message: `the series overlaps "${other.name}" (${other.id}, ${other.startsAt.toISOString()} – ${other.endsAt.toISOString()})`,
    details: { otherSeriesId: other.id },
  };
}

/** Times, window, capacity, entry rule and name change only before the series is under way. */
export const EDITABLE_STATUSES: readonly string[] = ['DRAFT', 'SCHEDULED'];
/** Gates and category limits may still change while it runs (a gate added during the day). */
export const CONFIGURABLE_STATUSES: readonly string[] = ['DRAFT', 'SCHEDULED', 'ACTIVE'];

export function notEditable(status: string, what: string): Problem {
  return { code: 'SERIES_NOT_EDITABLE', message: `a ${status} series cannot change its ${what}`, details: { status } };
}

export interface SeriesChanges {
  startsAt?: Date | null;
  endsAt?: Date | null;
  checkInOpensAt?: Date | null;
  checkInClosesAt?: Date | null;
}

/**
 * The times after a partial update. A window that was the default (the series'
 * own start and end) follows the series when it moves; a window set on purpose
 * stays where it was and is checked again.
 */
export function mergeTimes(current: SeriesTimes, changes: SeriesChanges): SeriesTimes {
  const startsAt = changes.startsAt ?? current.startsAt;
  const endsAt = changes.endsAt ?? current.endsAt;
  const defaultOpens = current.checkInOpensAt.getTime() === current.startsAt.getTime();
  const defaultCloses = current.checkInClosesAt.getTime() === current.endsAt.getTime();
  return {
    startsAt,
    endsAt,
    checkInOpensAt: changes.checkInOpensAt ?? (defaultOpens ? startsAt : current.checkInOpensAt),
    checkInClosesAt: changes.checkInClosesAt ?? (defaultCloses ? endsAt : current.checkInClosesAt),
  };
}
