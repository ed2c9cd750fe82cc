import ICAL, { type Component, type Duration, type Property, type Time } from './ical-library';
import type { ParsedRecord, ParseResult, RecordProblem } from '../records';
import { absoluteUrl, cleanText, contentId, coordinates, emptyRecord, problem } from './parsed-record';
import { resolveTimeZone, zonedInstant } from './time-zones';

/**
 * VEVENTs into records. Times are read from their wall clock and converted with the runtime's zone
 * data rather than ical.js's: most feeds name a zone without defining it (or with a Windows name),
 * and one conversion for every time keeps DTSTART, EXDATE and RECURRENCE-ID comparable.
 */

export interface CalendarContext {
  /** where floating times (no TZID, no Z) are read: the calendar's X-WR-TIMEZONE, else the source's default; null for UTC */
  floatingZone: string | null;
  horizon: { from: Date; to: Date };
  maxOccurrences: number;
}

/** How one property's times become instants. */
type Zone =
  | { kind: 'iana'; zone: string }
  /** a TZID only the calendar's own VTIMEZONE defines: ical.js converts with it */
  | { kind: 'vtimezone' }
  | { kind: 'floating'; zone: string | null };

/** Stops a rule like FREQ=SECONDLY from spinning through centuries before it reaches the horizon. */
const MAX_ITERATIONS = 100_000;
const DAY_MS = 86_400_000;

export function eventRecords(vevents: Component[], context: CalendarContext): ParseResult {
  const records: ParsedRecord[] = [];
  const problems: RecordProblem[] = [];
  const overridesByUid = new Map<string, Component[]>();
  const masters: Component[] = [];
  for (const vevent of vevents) {
    const uid = text(vevent, 'uid');
    if (uid && vevent.hasProperty('recurrence-id')) overridesByUid.set(uid, [...(overridesByUid.get(uid) ?? []), vevent]);
    else masters.push(vevent);
  }
  for (const master of masters) {
    const uid = text(master, 'uid');
    const ref = uid ?? cleanText(text(master, 'summary')) ?? undefined;
    try {
      const overrides = uid ? (overridesByUid.get(uid) ?? []) : [];
      if (uid) overridesByUid.delete(uid);
      records.push(...expand(master, overrides, context));
    } catch (error) {
      problems.push(eventProblem(error, ref));
    }
  }
  // instances whose series is not in the file: each stands for itself
  for (const [uid, overrides] of overridesByUid) {
    for (const override of overrides) {
      try {
        const record = single(override, context, true);
        if (overlaps(record, context.horizon)) records.push(record);
      } catch (error) {
        problems.push(eventProblem(error, uid));
      }
    }
  }
  return { records, problems };
}

class TimeZoneProblem extends Error {}

function eventProblem(error: unknown, ref: string | undefined): RecordProblem {
  if (error instanceof TimeZoneProblem) return problem('INVALID_TIME_ZONE', error.message, ref);
  return problem(
    'MALFORMED_RECORD',
    `The event could not be read: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
    ref,
  );
}

const text = (component: Component, name: string): string | null => {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
};

/** The zone a date-time property's times are in. */
function zoneOf(property: Property | null, context: CalendarContext): Zone {
  const tzid = property?.getParameter('tzid');
  const name = Array.isArray(tzid) ? tzid[0] : tzid;
  if (!name) return { kind: 'floating', zone: context.floatingZone };
  const zone = resolveTimeZone(name);
  if (zone) return { kind: 'iana', zone };
  const time = property!.getFirstValue() as Time;
  if (time?.zone && time.zone.tzid !== 'floating') return { kind: 'vtimezone' };
  throw new TimeZoneProblem(
    `The time zone "${String(name).slice(0, 80)}" is neither an IANA nor a Windows zone, and the calendar does not define it`,
  );
}

const isUtc = (time: Time) => time.zone?.tzid === 'UTC' || time.zone === ICAL.Timezone.utcTimezone;

/** The instant a time names, read in its zone; dates are midnight in the zone. */
function instant(time: Time, zone: Zone): Date {
  if (!time.isDate && isUtc(time))
    return new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second));
  if (zone.kind === 'vtimezone' && !time.isDate) return new Date(time.toUnixTime() * 1000);
  const wall = time.isDate ? { year: time.year, month: time.month, day: time.day, hour: 0, minute: 0, second: 0 } : time;
  const name = zone.kind === 'iana' ? zone.zone : zone.kind === 'floating' ? zone.zone : null;
  if (name) return zonedInstant(wall, name);
  return new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
}

const zoneName = (zone: Zone): string | null => (zone.kind === 'iana' || zone.kind === 'floating' ? zone.zone : null);

/** The length of an event, as DTEND or DURATION give it; a date without an end lasts its day (RFC 5545 §3.6.1). */
function lengthOf(vevent: Component, start: Time): Duration | null {
  const end = vevent.getFirstPropertyValue('dtend') as Time | null;
  let duration = end ? end.subtractDate(start) : (vevent.getFirstPropertyValue('duration') as Duration | null);
  if (start.isDate && (!duration || duration.toSeconds() <= 0)) duration = ICAL.Duration.fromSeconds(86_400);
  return duration && duration.toSeconds() >= 0 ? duration : null;
}

/** One record from one VEVENT as it stands (a single event, or an instance that overrides one occurrence). */
function single(vevent: Component, context: CalendarContext, recurring: boolean): ParsedRecord {
  const record = describe(vevent);
  record.recurring = recurring;
  const startProperty = vevent.getFirstProperty('dtstart');
  const start = startProperty?.getFirstValue() as Time | null;
  if (!startProperty || !start) return record;
  const zone = zoneOf(startProperty, context);
  record.startsAt = instant(start, zone);
  record.allDay = start.isDate;
  record.timeZone = isUtc(start) && !start.isDate ? null : zoneName(zone);
  const endProperty = vevent.getFirstProperty('dtend');
  const end = endProperty?.getFirstValue() as Time | null;
  if (end && !(start.isDate && end.compare(start) <= 0)) record.endsAt = instant(end, zoneOf(endProperty, context));
  else {
    const length = lengthOf(vevent, start);
    if (length) record.endsAt = instant(plus(start, length), zone);
  }
  return record;
}

function plus(time: Time, duration: Duration): Time {
  const result = time.clone();
  result.addDuration(duration);
  return result;
}

const overlaps = (record: ParsedRecord, horizon: { from: Date; to: Date }) =>
  !record.startsAt ||
  (record.startsAt.getTime() <= horizon.to.getTime() && (record.endsAt ?? record.startsAt).getTime() >= horizon.from.getTime());

const isRecurringMaster = (vevent: Component) => vevent.hasProperty('rrule') || vevent.hasProperty('rdate');

/** The records of a master event: itself, or its occurrences within the horizon with overrides and exclusions applied. */
function expand(master: Component, overrides: Component[], context: CalendarContext): ParsedRecord[] {
  const startProperty = master.getFirstProperty('dtstart');
  const start = startProperty?.getFirstValue() as Time | null;
  if (!isRecurringMaster(master) || !startProperty || !start) return [single(master, context, false)];

  const zone = zoneOf(startProperty, context);
  const length = lengthOf(master, start);
  const byInstant = new Map<number, Component>();
  const byDay = new Map<string, Component>();
  for (const override of overrides) {
    const property = override.getFirstProperty('recurrence-id')!;
    const id = property.getFirstValue() as Time;
    if (id.isDate) byDay.set(dayKey(id), override);
    else byInstant.set(instant(id, zoneFor(property, zone, context)).getTime(), override);
  }
  const excluded = exclusions(master, zone, context);
  const base = describe(master);
  const used = new Set<Component>();
  const records: ParsedRecord[] = [];
  const { from, to } = context.horizon;
  const expansion = new ICAL.RecurExpansion({ component: master, dtstart: start });
  for (let i = 0, occurrence = expansion.next(); occurrence && i < MAX_ITERATIONS; i++, occurrence = expansion.next()) {
    // a cheap wall-clock bound first: exact zone conversion only near the horizon
    const rough = Date.UTC(occurrence.year, occurrence.month - 1, occurrence.day, occurrence.hour, occurrence.minute);
    if (rough > to.getTime() + DAY_MS) break;
    if (rough + (length?.toSeconds() ?? 0) * 1000 < from.getTime() - DAY_MS) continue;
    const at = instant(occurrence, zone);
    const override = byInstant.get(at.getTime()) ?? (occurrence.isDate ? byDay.get(dayKey(occurrence)) : undefined);
    if (excluded.instants.has(at.getTime()) || excluded.days.has(dayKey(occurrence))) continue;
    let record: ParsedRecord;
    if (override) {
      used.add(override);
      record = single(override, context, true);
      record.cancelled ||= text(master, 'status')?.toUpperCase() === 'CANCELLED';
    } else {
      record = { ...base, categories: [...base.categories], recurring: true };
      record.startsAt = at;
      record.allDay = occurrence.isDate;
      record.timeZone = isUtc(occurrence) && !occurrence.isDate ? null : zoneName(zone);
      record.endsAt = length ? instant(plus(occurrence, length), zone) : null;
      record.raw = { ...record.raw, occurrence: at.toISOString() };
    }
    if (overlaps(record, context.horizon)) records.push(record);
    if (records.length >= context.maxOccurrences) return records;
  }
  for (const override of overrides) {
    if (used.has(override)) continue;
    const record = single(override, context, true);
    if (overlaps(record, context.horizon) && records.length < context.maxOccurrences) records.push(record);
  }
  return records;
}

/** A RECURRENCE-ID or EXDATE with its own TZID or Z is read in it; a floating one in the series' zone. */
function zoneFor(property: Property, seriesZone: Zone, context: CalendarContext): Zone {
  return property.getParameter('tzid') ? zoneOf(property, context) : seriesZone;
}

const dayKey = (time: Time) => `${time.year}-${time.month}-${time.day}`;

/**
 * EXDATEs matched by instant, and date-only ones by day. ical.js applies EXDATEs too, but only when
 * their form matches DTSTART's exactly; real feeds mix forms (a floating or date-only EXDATE against
 * a zoned series), so the comparison is done again here on instants.
 */
function exclusions(master: Component, zone: Zone, context: CalendarContext) {
  const instants = new Set<number>();
  const days = new Set<string>();
  for (const property of master.getAllProperties('exdate')) {
    for (const value of property.getValues() as Time[]) {
      if (value.isDate) days.add(dayKey(value));
      else instants.add(instant(value, zoneFor(property, zone, context)).getTime());
    }
  }
  return { instants, days };
}

/** The descriptive fields of a VEVENT, shared by all its occurrences. */
function describe(vevent: Component): ParsedRecord {
  const record = emptyRecord({ component: 'vevent', properties: propertiesOf(vevent) });
  const uid = cleanText(text(vevent, 'uid'));
  record.title = cleanText(text(vevent, 'summary'));
  record.feedId = uid ?? contentId(record.title, text(vevent, 'dtstart'));
  record.description = text(vevent, 'description')?.trim() || null;
  record.location = cleanText(text(vevent, 'location'));
  const geo = vevent.getFirstPropertyValue('geo') as unknown;
  if (Array.isArray(geo)) Object.assign(record, coordinates(geo[0], geo[1]));
  record.url = absoluteUrl(text(vevent, 'url'));
  record.imageUrl = imageOf(vevent);
  record.categories = vevent
    .getAllProperties('categories')
    .flatMap((p) => p.getValues().map((v) => cleanText(v)))
    .filter((v): v is string => !!v);
  record.cancelled = text(vevent, 'status')?.toUpperCase() === 'CANCELLED';
  return record;
}

/** RFC 7986 IMAGE, else an ATTACH that says it is an image. */
function imageOf(vevent: Component): string | null {
  const image = absoluteUrl(text(vevent, 'image'));
  if (image) return image;
  const attach = vevent.getAllProperties('attach').find((p) => String(p.getParameter('fmttype') ?? '').startsWith('image/'));
  return attach ? absoluteUrl(String(attach.getFirstValue())) : null;
}

/** The VEVENT's own properties as jCal (alarms left out): what the feed said, JSON-safe. */
function propertiesOf(vevent: Component): unknown {
  const jcal = vevent.toJSON() as unknown[];
  return JSON.parse(JSON.stringify(jcal[1] ?? []));
}
