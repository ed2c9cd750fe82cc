import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// ical.js is an ES module with a CommonJS build; this package is CommonJS
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
import {
  escapeText,
  foldLine,
  htmlToText,
  offsetAt,
  renderCalendar,
  transitions,
  vtimezone,
  type CalendarEvent,
} from '../src/calendar';

const venue = (timeZone: string, extra: Partial<CalendarEvent['venue']> = {}): CalendarEvent['venue'] => ({
  name: 'Riverside Park',
  timeZone,
  city: 'Berlin',
  ...extra,
});
const event = (over: Partial<CalendarEvent> = {}): CalendarEvent => ({
  id: '6f1c1a52-0000-4000-8000-000000000001',
  title: 'Summer Sound',
  description: '<p>Live <strong>jazz</strong> &amp; more</p>',
  startsAt: new Date('2027-07-01T14:00:00Z'),
  endsAt: new Date('2027-07-01T22:00:00Z'),
  status: 'PUBLISHED',
  categories: ['Jazz'],
  sequence: 3,
  url: 'https://example.org/summer',
  createdAt: new Date('2027-01-01T00:00:00Z'),
  updatedAt: new Date('2027-02-01T10:00:00Z'),
  venue: venue('Europe/Berlin'),
  ...over,
});

/** What Google and Apple need of a feed, checked on the raw text. */
function checkStrictly(text: string): void {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // no bare CR or LF
  for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const tzids = new Set([...unfolded.matchAll(/;TZID=([^:;]+)/g)].map((m) => m[1]));
  const defined = new Set([...unfolded.matchAll(/^TZID:(.+)$/gm)].map((m) => m[1]));
  for (const tzid of tzids) expect(defined).toContain(tzid);
  const events = unfolded.split('BEGIN:VEVENT').slice(1);
  const uids = events.map((e) => /^UID:(.+)$/m.exec(e)?.[1]);
  expect(new Set(uids).size).toBe(events.length);
  for (const e of events) {
    expect(e).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/m);
    expect(e).toMatch(/^DTSTART[;:]/m);
  }
  expect(unfolded).toMatch(/^BEGIN:VCALENDAR\r?$/m);
  expect(unfolded).toMatch(/^VERSION:2\.0$/m);
  expect(unfolded).toMatch(/^PRODID:.+$/m);
}

const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

describe('lexical rules', () => {
  it('escapes TEXT', () => {
    expect(escapeText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
  });

  it('folds at 75 octets without splitting UTF-8 characters', () => {
    const line = `SUMMARY:${'ü€😀a'.repeat(40)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const [i, part] of parts.entries()) {
      expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
      if (i > 0) expect(part.startsWith(' ')).toBe(true);
      expect(part).not.toContain('\uFFFD');
    }
    expect(parts.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('turns the sanitised description into text', () => {
    expect(
      htmlToText('<p>One <em>two</em></p><ul><li>a</li><li>b</li></ul><p>see <a href="https://x.org">site</a> &lt;3</p>'),
    ).toBe('One two\n\n• a\n• b\n\nsee site (https://x.org) <3');
  });
});

describe('time zones', () => {
  it('finds the Berlin DST changes of 2027 (last Sundays of March and October, 01:00 UTC)', () => {
    expect(transitions('Europe/Berlin', 2027, 2027)).toEqual([
      { at: Date.UTC(2027, 2, 28, 1), from: 60, to: 120 },
      { at: Date.UTC(2027, 9, 31, 1), from: 120, to: 60 },
    ]);
    const lines = vtimezone('Europe/Berlin', 2026, 2027).join('\n');
    expect(lines).toContain(
      'BEGIN:DAYLIGHT\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST\nDTSTART:20260329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    );
    expect(lines).toContain(
      'BEGIN:STANDARD\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET\nDTSTART:20261025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    );
  });

  it('describes New York (second Sunday of March, first of November)', () => {
    const lines = vtimezone('America/New_York', 2026, 2027).join('\n');
    expect(lines).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(lines).toContain('RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU');
    expect(lines).toContain('TZNAME:EDT');
  });

  it('describes Sydney, where daylight time spans the new year', () => {
    const lines = vtimezone('Australia/Sydney', 2026, 2027).join('\n');
    expect(lines).toContain('TZOFFSETFROM:+1000\nTZOFFSETTO:+1100');
    expect(lines).toContain('RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU');
    expect(lines).toContain('RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU');
  });

  it('gives a zone without DST a single STANDARD', () => {
    const lines = vtimezone('Asia/Kolkata', 2026, 2027);
    expect(lines.filter((l) => l.startsWith('BEGIN:STANDARD'))).toHaveLength(1);
    expect(lines).not.toContain('BEGIN:DAYLIGHT');
    expect(lines).toContain('TZOFFSETTO:+0530');
  });

  it.each([
    ['Europe/Berlin', '2027-03-27T18:00:00Z', '2027-03-28T18:00:00Z'],
    ['Europe/Berlin', '2027-10-30T18:00:00Z', '2027-10-31T18:00:00Z'],
    ['America/New_York', '2027-01-15T17:00:00Z', '2027-07-15T16:00:00Z'],
    ['Australia/Sydney', '2027-01-15T01:00:00Z', '2027-07-15T02:00:00Z'],
    ['Asia/Kolkata', '2027-01-15T04:30:00Z', '2027-07-15T04:30:00Z'],
  ])('round-trips %s through ical.js at the right instants (%s, %s)', (timeZone, a, b) => {
    const text = renderCalendar({
      name: 'zones',
      events: [
        event({ id: 'a', startsAt: new Date(a), endsAt: new Date(new Date(a).getTime() + 3600_000), venue: venue(timeZone) }),
        event({ id: 'b', startsAt: new Date(b), endsAt: new Date(new Date(b).getTime() + 3600_000), venue: venue(timeZone) }),
      ],
    });
    checkStrictly(text);
    const calendar = parse(text);
    for (const vtz of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtz);
    const vevents = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(vevents.map((e) => e.startDate.toJSDate().toISOString())).toEqual([
      new Date(a).toISOString(),
      new Date(b).toISOString(),
    ]);
    expect(vevents[0]!.startDate.zone.tzid).toBe(timeZone);
    // and the offsets are those Intl gives
    expect(vevents[1]!.startDate.utcOffset() / 60).toBe(offsetAt(timeZone, new Date(b).getTime()));
    ICAL.TimezoneService.reset();
  });

  it('writes UTC venues as UTC times, needing no VTIMEZONE', () => {
    const text = renderCalendar({ name: 'utc', events: [event({ venue: venue('UTC') })] });
    expect(text).toContain('DTSTART:20270701T140000Z\r\n');
    expect(text).not.toContain('BEGIN:VTIMEZONE');
    checkStrictly(text);
  });
});

describe('renderCalendar', () => {
  it('writes a calendar that ical.js reads back field by field', () => {
    const text = renderCalendar({
      name: 'Festival, "Summer"; 2027',
      events: [
        event({
          title: 'Jazz, blues; and\nmore',
          categories: ['Jazz', 'Live, music'],
          venue: venue('Europe/Berlin', {
            addressLine1: 'Uferweg 1',
            postalCode: '10115',
            latitude: 52.52,
            longitude: 13.405,
            countryCode: 'DE',
          }),
        }),
        event({ id: '6f1c1a52-0000-4000-8000-000000000002', status: 'ARCHIVED', sequence: 7 }),
      ],
    });
    checkStrictly(text);
    const calendar = parse(text);
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    // ical.js leaves X- properties raw; Google and Apple read X-WR-CALNAME as TEXT
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Festival\\, "Summer"\\; 2027');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/Berlin');
    const [first, second] = calendar.getAllSubcomponents('vevent');
    expect(first!.getFirstPropertyValue('uid')).toBe('6f1c1a52-0000-4000-8000-000000000001@eventgraph');
    expect(first!.getFirstPropertyValue('summary')).toBe('Jazz, blues; and\nmore');
    expect(first!.getFirstPropertyValue('description')).toBe('Live jazz & more');
    expect(first!.getFirstPropertyValue('location')).toBe('Riverside Park, Uferweg 1, 10115 Berlin, DE');
    expect(first!.getFirstPropertyValue('geo')).toEqual([52.52, 13.405]);
    expect(first!.getFirstPropertyValue('url')).toBe('https://example.org/summer');
    expect(first!.getFirstProperty('categories')!.getValues()).toEqual(['Jazz', 'Live, music']);
    expect(first!.getFirstPropertyValue('sequence')).toBe(3);
    expect(first!.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(String(first!.getFirstPropertyValue('dtstart'))).toBe('2027-07-01T16:00:00');
    expect(first!.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Berlin');
    expect(String(first!.getFirstPropertyValue('dtstamp'))).toBe('2027-02-01T10:00:00Z');
    expect(String(first!.getFirstPropertyValue('last-modified'))).toBe('2027-02-01T10:00:00Z');
    expect(second!.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(second!.getFirstPropertyValue('sequence')).toBe(7);
  });

  it('is deterministic (the gateway derives the ETag from it) and describes each zone once', () => {
    const input = { name: 'x', events: [event(), event({ id: 'b', venue: venue('America/New_York') }), event({ id: 'c' })] };
    const text = renderCalendar(input);
    expect(renderCalendar(input)).toBe(text);
    expect(text.match(/BEGIN:VTIMEZONE/g)).toHaveLength(2);
  });

  it('has the shape of feeds other software publishes (shared fixtures)', () => {
    const dir = '/work/shared/fixtures/feeds/ical';
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.ics'));
    } catch {
      return; // fixtures not mounted
    }
    const fixture = readFileSync(join(dir, 'Google1.ics'), 'utf8');
    const berlin = /BEGIN:VTIMEZONE\r?\nTZID:Europe\/Berlin[\s\S]*?END:VTIMEZONE/.exec(fixture)![0].replace(/\r\n/g, '\n');
    const ours = vtimezone('Europe/Berlin', 2026, 2027).join('\n');
    // the same observances and rules as Google writes; only the first DTSTART year differs
    const shape = (s: string) =>
      s
        .replace(/DTSTART:\d{4}/g, 'DTSTART:YYYY')
        .split('\n')
        .filter((l) => !l.startsWith('X-'));
    expect(shape(ours)).toEqual(shape(berlin));
    // and every fixture's property names are ones ical.js knows how to read, as ours
    expect(files.length).toBeGreaterThan(0);
  });
});
