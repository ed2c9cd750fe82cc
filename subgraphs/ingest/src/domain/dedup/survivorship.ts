import type { CategoryMatch, NormalisedRecord, ResolvedPlace } from '../records';

/** The public fields of a canonical event, each taken from the member that is best for it. */
export interface CanonicalFields {
  title: string;
  /** sanitised HTML */
  description: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  timeZone: string | null;
  place: ResolvedPlace;
  url: string | null;
  imageUrl: string | null;
  categories: CategoryMatch[];
  /** only when every member says so */
  cancelled: boolean;
}

export interface SurvivorshipMember {
  record: NormalisedRecord;
  /** the source's trust, 0..100 */
  trust: number;
  /** the source's priority among equally trusted ones: higher wins */
  priority: number;
  /** when its record was last fetched */
  seenAt: Date;
}

/** the most trusted first, then the highest priority, then the most recently seen */
const byPreference = (a: SurvivorshipMember, b: SurvivorshipMember) =>
  b.trust - a.trust || b.priority - a.priority || b.seenAt.getTime() - a.seenAt.getTime();

const hasPlace = (place: ResolvedPlace) => place.latitude !== null || place.venueId !== null || !!place.text;

/**
 * Field-level survivorship over a canonical event's live members: each field from the most preferred member
 * that has it, so an official feed without images still gets the image a listing site had. The time fields
 * travel together (an end from one source and a start from another could contradict). Among equally preferred
 * members the longest description wins: it usually is the complete one.
 */
export function surviveFields(members: SurvivorshipMember[]): CanonicalFields {
  if (members.length === 0) throw new RangeError('surviveFields needs at least one member');
  const ranked = [...members].sort(byPreference);
  const first = ranked[0]!;
  const pick = <T>(value: (r: NormalisedRecord) => T, present: (v: T) => boolean): T => {
    const member = ranked.find((m) => present(value(m.record)));
    return value((member ?? first).record);
  };
  const timing = first.record;
  return {
    title: pick((r) => r.title, Boolean),
    description: bestDescription(ranked),
    startsAt: timing.startsAt,
    endsAt:
      timing.endsAt ??
      pick(
        (r) => (sameStart(r, timing) ? r.endsAt : null),
        (v) => v !== null,
      ),
    allDay: timing.allDay,
    timeZone:
      timing.timeZone ??
      pick(
        (r) => r.timeZone,
        (v) => v !== null,
      ),
    place: pick((r) => r.place, hasPlace),
    url: pick(
      (r) => r.url,
      (v) => v !== null,
    ),
    imageUrl: pick(
      (r) => r.imageUrl,
      (v) => v !== null,
    ),
    categories: pick(
      (r) => r.categories,
      (v) => v.some((c) => c.slug !== 'other'),
    ),
    cancelled: members.every((m) => m.record.cancelled),
  };
}

const sameStart = (a: NormalisedRecord, b: NormalisedRecord) => a.startsAt.getTime() === b.startsAt.getTime();

function bestDescription(ranked: SurvivorshipMember[]): string {
  const withText = ranked.filter((m) => m.record.description.trim());
  const top = withText[0];
  if (!top) return '';
  const equals = withText.filter((m) => m.trust === top.trust && m.priority === top.priority);
  return equals.reduce((a, b) => (b.record.description.length > a.record.description.length ? b : a)).record.description;
}
