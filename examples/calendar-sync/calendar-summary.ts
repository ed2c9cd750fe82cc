// What a feed's text holds, read with a real iCalendar parser (ical.js): whether it is a calendar at all, how
// many events and cancellations it lists, and what changed against the copy held before.
import { SyncFailure } from './failures';

// ical.js is an ES module with a CommonJS build; this package is CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

export interface CalendarSummary {
  /** UID (+ RECURRENCE-ID) → SEQUENCE and STATUS: enough to tell new, changed and removed events apart */
  events: Map<string, { sequence: number; status: string; fingerprint: string }>;
  cancelled: number;
}

/** Reads a feed's text; a body that is not one VCALENDAR is refused, so it never replaces a good file. */
export function summarize(ics: string, contentType?: string): CalendarSummary {
  const what = contentType ? contentType.split(';')[0]!.trim() : 'something';
  const firstLine = ics.trimStart().split('\n', 1)[0]!.trimEnd();
  if (firstLine !== 'BEGIN:VCALENDAR')
    throw new SyncFailure(
      'NOT_ICALENDAR',
      `the feed answered ${what}, not iCalendar (it starts ${JSON.stringify(firstLine.slice(0, 40))})`,
    );
  let calendar: InstanceType<typeof ICAL.Component>;
  try {
    calendar = new ICAL.Component(ICAL.parse(ics));
  } catch (err) {
    throw new SyncFailure(
      'NOT_ICALENDAR',
      `the feed's body does not parse as iCalendar (${err instanceof Error ? err.message : err})`,
    );
  }
  if (calendar.name !== 'vcalendar') throw new SyncFailure('NOT_ICALENDAR', "the feed's body is not one VCALENDAR");
  const events: CalendarSummary['events'] = new Map();
  let cancelled = 0;
  for (const vevent of calendar.getAllSubcomponents('vevent')) {
    const uid = vevent.getFirstPropertyValue('uid');
    if (!uid) throw new SyncFailure('NOT_ICALENDAR', 'the feed lists an event without a UID');
    const recurrence = vevent.getFirstPropertyValue('recurrence-id');
    const status = String(vevent.getFirstPropertyValue('status') ?? 'CONFIRMED').toUpperCase();
    if (status === 'CANCELLED') cancelled++;
    events.set(recurrence ? `${uid} ${recurrence.toString()}` : String(uid), {
      sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0),
      status,
      // an organiser who forgets to bump SEQUENCE still changes the text
      fingerprint: vevent.toString().replace(/^DTSTAMP[:;].*$/gm, ''),
    });
  }
  return { events, cancelled };
}

/** "3 events, 1 cancelled (1 new, 1 changed, 0 removed)"; without a previous copy, just the counts. */
export function describeUpdate(next: CalendarSummary, previous?: CalendarSummary): string {
  const n = next.events.size;
  const counts = `${n} event${n === 1 ? '' : 's'}, ${next.cancelled} cancelled`;
  if (!previous) return counts;
  let added = 0;
  let changed = 0;
  for (const [key, event] of next.events) {
    const before = previous.events.get(key);
    if (!before) added++;
    else if (before.fingerprint !== event.fingerprint) changed++;
  }
  const removed = [...previous.events.keys()].filter((key) => !next.events.has(key)).length;
  return `${counts} (${added} new, ${changed} changed, ${removed} removed)`;
}
