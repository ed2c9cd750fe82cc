import { CRLF, escapeText, foldLine, formatLocal, formatUtc, htmlToText } from './format';
import { isUtc, localTime, vtimezone } from './timezones';

/** What a calendar shows of an event (a plain value: the caller reads the database and applies visibility). */
export interface CalendarEvent {
  id: string;
  title: string;
  /** sanitised HTML; written as plain text */
  description: string;
  startsAt: Date;
  endsAt: Date;
  /** a whole-day event: startsAt and endsAt (exclusive) are UTC midnights, written as DATE values */
  allDay?: boolean;
  status: string;
  categories: string[];
  sequence: number;
  url?: string | null;
  createdAt: Date;
  updatedAt: Date;
  venue: {
    name: string;
    /** IANA zone: the event's DTSTART/DTEND are written in it */
    timeZone: string;
    addressLine1?: string | null;
    addressLine2?: string | null;
    postalCode?: string | null;
    city?: string | null;
    region?: string | null;
    countryCode?: string | null;
    latitude?: number | null;
    longitude?: number | null;
  };
}

export interface CalendarInput {
  /** X-WR-CALNAME */
  name: string;
  events: CalendarEvent[];
  /** zones to describe even if no event uses them; the first one is the calendar's X-WR-TIMEZONE */
  timeZones?: string[];
  description?: string;
}

export const PRODID = '-//Eventgraph//Calendar feeds 1.0//EN';
export const UID_DOMAIN = 'eventgraph';

/**
 * iCalendar status of an event. Cancelled events (and archived ones: how an organisation takes an event back)
 * will not happen, so a calendar that already holds them must show or drop them: CANCELLED. Closed means sales
 * closed, the event still happens (or happened): CONFIRMED. Drafts, which only the organisation's own
 * private feeds show, are TENTATIVE.
 */
export function calendarStatus(status: string): 'CONFIRMED' | 'CANCELLED' | 'TENTATIVE' {
  if (status === 'ARCHIVED' || status === 'CANCELLED') return 'CANCELLED';
  if (status === 'DRAFT') return 'TENTATIVE';
  return 'CONFIRMED';
}

/** the year an empty feed's VTIMEZONEs describe (rendering stays pure: no clock) */
const EMPTY_FEED_YEAR = 2026;

export const eventUid = (id: string) => `${id}@${UID_DOMAIN}`;

function location(venue: CalendarEvent['venue']): string {
  const cityLine = [venue.postalCode, venue.city].filter(Boolean).join(' ');
  return [venue.name, venue.addressLine1, venue.addressLine2, cityLine, venue.region, venue.countryCode]
    .filter((part) => part && part.trim())
    .join(', ');
}

function dateTime(name: 'DTSTART' | 'DTEND', at: Date, timeZone: string): string {
  if (isUtc(timeZone)) return `${name}:${formatUtc(at)}`;
  return `${name};TZID=${timeZone}:${formatLocal(localTime(timeZone, at))}`;
}

/** YYYYMMDD of a UTC midnight (an all-day event's dates carry no zone: RFC 5545 DATE values are floating). */
const date = (name: 'DTSTART' | 'DTEND', at: Date) => `${name};VALUE=DATE:${formatUtc(at).slice(0, 8)}`;

/** The URI of URL must not be escaped as TEXT, but it must stay on its line. */
const uri = (value: string) => value.replace(/[\r\n]/g, '');

function vevent(event: CalendarEvent): string[] {
  const zone = event.venue.timeZone;
  const lines = [
    'BEGIN:VEVENT',
    `UID:${eventUid(event.id)}`,
    // the last change, not the time of the download: the same feed renders to the same bytes (ETag)
    `DTSTAMP:${formatUtc(event.updatedAt)}`,
    ...(event.allDay
      ? [date('DTSTART', event.startsAt), date('DTEND', event.endsAt)]
      : [dateTime('DTSTART', event.startsAt, zone), dateTime('DTEND', event.endsAt, zone)]),
    `SUMMARY:${escapeText(event.title)}`,
  ];
  const description = htmlToText(event.description);
  if (description) lines.push(`DESCRIPTION:${escapeText(description)}`);
  const where = location(event.venue);
  if (where) lines.push(`LOCATION:${escapeText(where)}`);
  if (event.venue.latitude != null && event.venue.longitude != null)
    lines.push(`GEO:${event.venue.latitude};${event.venue.longitude}`);
  if (event.url) lines.push(`URL:${uri(event.url)}`);
  if (event.categories.length) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(',')}`);
  lines.push(
    `SEQUENCE:${event.sequence}`,
    `STATUS:${calendarStatus(event.status)}`,
    `CREATED:${formatUtc(event.createdAt)}`,
    `LAST-MODIFIED:${formatUtc(event.updatedAt)}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
  );
  return lines;
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/**
 * A whole iCalendar object (RFC 5545): CRLF line ends, lines folded at 75 octets, one VTIMEZONE for every
 * TZID used (covering the years the events span), events in the order given. Pure: the same input gives
 * the same text.
 */
export function renderCalendar(input: CalendarInput): string {
  const { events } = input;
  const eventZones = events.map((e) => e.venue.timeZone);
  const calendarZone = input.timeZones?.[0] ?? mostCommon(eventZones) ?? 'UTC';
  const zones = [...new Set([...(input.timeZones ?? []), ...eventZones])].filter((z) => !isUtc(z)).sort();
  const years = events.flatMap((e) => [e.startsAt.getUTCFullYear(), e.endsAt.getUTCFullYear()]);
  // one year before the first event too, so the observance in force at its start is described
  const fromYear = (years.length ? Math.min(...years) : EMPTY_FEED_YEAR) - 1;
  const toYear = years.length ? Math.max(...years) : EMPTY_FEED_YEAR;

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(input.name)}`,
    `X-WR-TIMEZONE:${calendarZone}`,
    ...(input.description ? [`X-WR-CALDESC:${escapeText(input.description)}`] : []),
    ...zones.flatMap((zone) => vtimezone(zone, fromYear, toYear)),
    ...events.flatMap(vevent),
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
