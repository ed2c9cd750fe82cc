import { localTime, utcOffsetMs } from '@eventgraph/runtime';
import { formatLocal, formatOffset, type LocalTime } from './format';

/**
 * VTIMEZONE components derived from the IANA database the runtime ships (through Intl), so a feed needs no
 * tz data of its own. The transitions of the years asked for are found by sampling each day and bisecting
 * to the minute; a rule that repeats every year (same month, weekday and week, same local time and
 * offsets) becomes one observance with a yearly RRULE, as Google and Apple write them; anything
 * irregular is written transition by transition.
 */

export { isTimeZone as isKnownTimeZone, localTime } from '@eventgraph/runtime';

/** Zones written as UTC (`…Z`) rather than with a TZID. */
export const isUtc = (timeZone: string) => /^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal|Greenwich)([+-]?0)?$/i.test(timeZone);

/** The zone's offset from UTC at an instant, in minutes. */
export const offsetAt = (timeZone: string, at: number): number => Math.round(utcOffsetMs(timeZone, at) / 60_000);

/** TZNAME (optional in RFC 5545): a letter abbreviation if some English locale knows one (EST, CEST, AEDT, IST). */
function abbreviation(timeZone: string, at: number): string | undefined {
  for (const locale of ['en-US', 'en-GB', 'en-AU', 'en-IN']) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(new Date(at))
      .find((p) => p.type === 'timeZoneName')?.value;
    if (name && /^[A-Z]{2,6}$/.test(name)) return name;
  }
  return undefined;
}

export interface Transition {
  /** the instant (ms) from which `to` applies */
  at: number;
  from: number;
  to: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** Offset changes in [fromYear, toYear] (UTC years). */
export function transitions(timeZone: string, fromYear: number, toYear: number): Transition[] {
  const found: Transition[] = [];
  const end = Date.UTC(toYear + 1, 0, 1);
  let t = Date.UTC(fromYear, 0, 1);
  let offset = offsetAt(timeZone, t);
  while (t < end) {
    const next = Math.min(t + DAY, end);
    const nextOffset = offsetAt(timeZone, next);
    if (nextOffset !== offset) {
      let [lo, hi] = [t, next]; // offset(lo) = offset, offset(hi) ≠ offset
      while (hi - lo > MINUTE) {
        const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
        if (mid <= lo) break;
        if (offsetAt(timeZone, mid) === offset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, from: offset, to: offsetAt(timeZone, hi) });
    }
    t = next;
    offset = nextOffset;
  }
  return found;
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** `BYMONTH=3;BYDAY=-1SU` style description of the local day a transition happens on. */
function yearlyRule(local: LocalTime): string {
  const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
  const daysInMonth = new Date(Date.UTC(local.year, local.month, 0)).getUTCDate();
  const week = local.day + 7 > daysInMonth ? -1 : Math.ceil(local.day / 7);
  return `BYMONTH=${local.month};BYDAY=${week}${WEEKDAYS[weekday]}`;
}

interface Observance {
  kind: 'STANDARD' | 'DAYLIGHT';
  from: number;
  to: number;
  /** local wall time, in the offset before the change */
  start: LocalTime;
  name?: string;
  rule: string;
}

/** The VTIMEZONE component for `timeZone`, valid for instants in [fromYear, toYear], as content lines. */
export function vtimezone(timeZone: string, fromYear: number, toYear: number): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`, `X-LIC-LOCATION:${timeZone}`];
  const changes = transitions(timeZone, fromYear, toYear);
  if (changes.length === 0) {
    const at = Date.UTC(fromYear, 0, 1);
    const offset = offsetAt(timeZone, at);
    const name = abbreviation(timeZone, at);
    lines.push(
      'BEGIN:STANDARD',
      `TZOFFSETFROM:${formatOffset(offset)}`,
      `TZOFFSETTO:${formatOffset(offset)}`,
      ...(name ? [`TZNAME:${name}`] : []),
      'DTSTART:19700101T000000',
      'END:STANDARD',
    );
  } else {
    const observances: Observance[] = changes.map((c) => {
      const start = localTime('UTC', new Date(c.at + c.from * MINUTE));
      // a change to the larger offset is daylight saving time, a change back (or a permanent move) standard time
      return {
        kind: c.to > c.from ? 'DAYLIGHT' : 'STANDARD',
        from: c.from,
        to: c.to,
        start,
        name: abbreviation(timeZone, c.at),
        rule: yearlyRule(start),
      };
    });
    // DST-less permanent shifts upward are not daylight time: a zone whose offsets only ever go up is standard
    if (!observances.some((o) => o.kind === 'STANDARD')) for (const o of observances) o.kind = 'STANDARD';
    const firstLines = (o: Observance) => [
      `BEGIN:${o.kind}`,
      `TZOFFSETFROM:${formatOffset(o.from)}`,
      `TZOFFSETTO:${formatOffset(o.to)}`,
      ...(o.name ? [`TZNAME:${o.name}`] : []),
      `DTSTART:${formatLocal(o.start)}`,
    ];
    for (const kind of ['DAYLIGHT', 'STANDARD'] as const) {
      const group = observances.filter((o) => o.kind === kind);
      if (group.length === 0) continue;
      const [first] = group as [Observance];
      const regular =
        group.length > 1 &&
        group.every(
          (o) =>
            o.rule === first.rule &&
            o.from === first.from &&
            o.to === first.to &&
            o.start.hour === first.start.hour &&
            o.start.minute === first.start.minute,
        );
      if (regular) lines.push(...firstLines(first), `RRULE:FREQ=YEARLY;${first.rule}`, `END:${kind}`);
      else for (const o of group) lines.push(...firstLines(o), `END:${kind}`);
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}
