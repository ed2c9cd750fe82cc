import type { ParseResult } from '../records';
import { eventRecords } from './ical-events';
import ICAL from './ical-library';
import { textOf, type XmlNode } from './xml-nodes';

/**
 * Google Calendar's Atom feeds give a recurring event no gd:when, only gd:recurrence: the iCalendar
 * lines of its DTSTART, DTEND and RRULE (and a VTIMEZONE, dropped: the TZID names an IANA zone).
 * Those lines are read as a VEVENT and expanded like any calendar's.
 */
export function gdataRecurrence(item: XmlNode, horizon: { from: Date; to: Date }): ParseResult | undefined {
  const recurrence = textOf(item['gd:recurrence']);
  if (!recurrence || item['gd:when'] !== undefined) return undefined;
  const lines = recurrence
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const cut = lines.findIndex((line) => line.startsWith('BEGIN:'));
  const vevent = [
    'BEGIN:VCALENDAR',
    'BEGIN:VEVENT',
    'UID:gdata',
    ...(cut < 0 ? lines : lines.slice(0, cut)),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  const calendar = new ICAL.Component(ICAL.parse(vevent.join('\n')) as unknown[]);
  return eventRecords(calendar.getAllSubcomponents('vevent'), { floatingZone: null, horizon, maxOccurrences: 1000 });
}
