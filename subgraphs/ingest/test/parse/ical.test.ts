import { FeedError } from '../../src/domain/records';
import { parseFeed } from '../../src/domain/parse';
import { feed, iso, wide } from './fixture-files';

const parse = (path: string, horizon = wide, config?: unknown) => parseFeed('ICAL', feed(path), { horizon, config });
const inline = (lines: string[], config?: unknown) =>
  parseFeed('ICAL', Buffer.from(['BEGIN:VCALENDAR', 'VERSION:2.0', ...lines, 'END:VCALENDAR'].join('\r\n')), {
    horizon: wide,
    config,
  });

describe('iCalendar parsing', () => {
  it('converts TZID times with the zone, and reads GEO, URL, folded and escaped text', () => {
    const [record] = parse('ical/meetup-timed-tz.ics').records;
    expect(iso(record!.startsAt)).toBe('2011-11-10T02:00:00.000Z'); // 19:00 in Phoenix (UTC-7, no DST)
    expect(record!.timeZone).toBe('America/Phoenix');
    expect([record!.latitude, record!.longitude]).toEqual([33.56, -111.9]);
    expect(record!.url).toBe('http://www.meetup.com/Phoenix-Drupal-User-Group/events/33627272/');
    expect(record!.location).toContain('1415 E University Dr. #103A, Tempe,');
    expect(record!.recurring).toBe(false);
  });

  it('expands a biweekly RRULE across DST and drops its EXDATEs (a folded comma list)', () => {
    const { records } = parse('ical/biweekly-exdate-until.ics', { from: new Date('2017-01-01Z'), to: new Date('2017-09-01Z') });
    const starts = records.filter((r) => r.title === 'Example of comma-separated exdates').map((r) => iso(r.startsAt));
    expect(starts[0]).toBe('2017-02-16T15:00:00.000Z'); // 09:00 CST
    expect(starts).toContain('2017-03-13T14:00:00.000Z'); // 09:00 CDT
    expect(starts).toContain('2017-07-03T14:00:00.000Z');
    for (const excluded of ['2017-07-06', '2017-07-17', '2017-07-20', '2017-08-03']) {
      expect(starts.some((s) => s!.startsWith(excluded))).toBe(false);
    }
    expect(starts.some((s) => s! > '2017-08-14T04:59:59Z')).toBe(false); // UNTIL
    const series = records.filter((r) => r.title === 'Example of comma-separated exdates');
    expect(series.every((r) => r.recurring && r.timeZone === 'America/Chicago')).toBe(true);
  });

  it('lets a RECURRENCE-ID override replace its occurrence, even when listed before its series', () => {
    const { records } = parse('ical/google-calendar-kiev-tz.ics');
    expect(records.map((r) => [iso(r.startsAt), r.title])).toEqual([
      ['2016-08-25T11:00:00.000Z', 'repeated'],
      ['2016-08-26T11:00:00.000Z', 'bla bla'],
      ['2016-08-27T11:00:00.000Z', 'repeated'],
      ['2016-08-28T11:00:00.000Z', 'repeated'],
    ]);
  });

  it('moves overridden occurrences to their new times', () => {
    const starts = parse('ical/issue-196.ics').records.map((r) => iso(r.startsAt));
    expect(starts).toContain('2019-11-09T16:00:00.000Z');
    expect(starts).toContain('2019-11-10T17:00:00.000Z');
    expect(starts).not.toContain('2019-11-09T18:00:00.000Z');
    expect(starts).toHaveLength(7);
  });

  it('keeps all-day ends exclusive, and moves an all-day occurrence by its date RECURRENCE-ID', () => {
    const records = parse('ical/whole_day_moved_over_dst_change_berlin.ics').records;
    expect(records.map((r) => [iso(r.startsAt), iso(r.endsAt), r.allDay])).toEqual([
      ['2024-10-27T00:00:00.000Z', '2024-10-28T00:00:00.000Z', true],
      ['2024-10-30T00:00:00.000Z', '2024-10-31T00:00:00.000Z', true],
      ['2024-10-29T00:00:00.000Z', '2024-10-30T00:00:00.000Z', true],
    ]);
    const [holidays] = parse('ical/sabredav-school-holidays.ics').records;
    expect([iso(holidays!.startsAt), iso(holidays!.endsAt), holidays!.allDay, holidays!.timeZone]).toEqual([
      '2018-07-01T22:00:00.000Z', // 2 July, midnight in Berlin
      '2018-08-10T22:00:00.000Z', // DTEND 11 August is exclusive
      true,
      'Europe/Berlin',
    ]);
    // DTEND equal to DTSTART on a date: a one-day event, not a zero-length one
    const [gig] = parse('ical/ProdID1.ics').records;
    expect(gig!.endsAt!.getTime() - gig!.startsAt!.getTime()).toBe(86_400_000);
  });

  it('maps Windows zone ids, Outlook display names and vendor-prefixed TZIDs to IANA zones', () => {
    const owa = parse('ical/Office-2012-owa.ics').records;
    const sydney = owa.find((r) => r.title === 'TEST Syd')!;
    expect([iso(sydney.startsAt), sydney.timeZone]).toEqual(['2020-10-28T02:30:00.000Z', 'Australia/Sydney']);
    const eastern = owa.find((r) => r.title === 'TEST')!;
    expect([iso(eastern.startsAt), eastern.timeZone]).toEqual(['2020-10-28T17:30:00.000Z', 'America/New_York']);

    const ms = parse('ical/ms_timezones.ics').records;
    const quoted = ms.find((r) => r.title === "Log Yesterday's Jira time")!; // TZID="W. Europe Standard Time:2020…"
    expect([iso(quoted.startsAt), quoted.timeZone]).toEqual(['2020-06-09T07:00:00.000Z', 'Europe/Berlin']);

    const [newYear] = parse('ical/TimeZone3.ics').records; // /mozilla.org/20070129_1/Europe/Berlin
    expect([newYear!.title, iso(newYear!.startsAt), newYear!.timeZone, newYear!.allDay]).toEqual([
      'Neujahr',
      '2007-12-31T23:00:00.000Z',
      'Europe/Berlin',
      true,
    ]);
  });

  it('reads floating times in the calendar zone (X-WR-TIMEZONE), else the source default, else UTC', () => {
    const [episode] = parse('ical/tv-show-episode.ics').records;
    expect([iso(episode!.startsAt), episode!.timeZone]).toEqual(['2011-05-20T00:00:00.000Z', 'America/New_York']);
    const event = ['BEGIN:VEVENT', 'UID:f1', 'SUMMARY:Floating', 'DTSTART:20270712T193000', 'END:VEVENT'];
    expect(iso(inline(event).records[0]!.startsAt)).toBe('2027-07-12T19:30:00.000Z');
    expect(inline(event).records[0]!.timeZone).toBeNull();
    const inLisbon = inline(event, { defaultTimeZone: 'Europe/Lisbon' }).records[0]!;
    expect([iso(inLisbon.startsAt), inLisbon.timeZone]).toEqual(['2027-07-12T18:30:00.000Z', 'Europe/Lisbon']);
  });

  it('marks STATUS:CANCELLED events cancelled and keeps non-ASCII text', () => {
    const byTitle = new Map(parse('ical/tentative-apple-calendar.ics').records.map((r) => [r.title, r.cancelled]));
    expect(byTitle).toEqual(
      new Map([
        ['Tentative', false],
        ['Confirmed', false],
        ['Cancelled', true],
        ['No Status', false],
      ]),
    );
    expect(parse('ical/Google1.ics', { from: new Date('2007-01-01Z'), to: new Date('2007-01-03Z') }).records[0]!.title).toBe(
      'Zähne putzen',
    );
  });

  it('expands only within the horizon and caps occurrences per event', () => {
    const week = parse('ical/Google1.ics', {
      from: new Date('2007-01-01T00:00:00Z'),
      to: new Date('2007-01-07T23:59:59Z'),
    }).records;
    expect(week).toHaveLength(7);
    expect(parse('ical/parserv2.ics', wide, { maxOccurrences: 5 }).records).toHaveLength(5);
  });

  it('refuses one event with an unknown zone and keeps the others', () => {
    const { records, problems } = inline([
      'BEGIN:VEVENT',
      'UID:bad',
      'SUMMARY:Nowhere',
      'DTSTART;TZID=Mars/Olympus_Mons:20270101T100000',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:good',
      'SUMMARY:Somewhere',
      'DTSTART:20270101T100000Z',
      'END:VEVENT',
    ]);
    expect(records.map((r) => r.feedId)).toEqual(['good']);
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_TIME_ZONE', ref: 'bad' })]);
  });

  it('skips a VEVENT that is not valid iCalendar and reads the rest of the file', () => {
    const { records, problems } = inline([
      'BEGIN:VEVENT',
      'UID:broken',
      'SUMMARY:Broken',
      'DTSTART:2027-not-a-date',
      'RRULE:FREQ=NEVER',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:fine',
      'SUMMARY:Fine',
      'DTSTART;VALUE=DATE:20270102',
      'END:VEVENT',
    ]);
    expect(records.map((r) => r.feedId)).toEqual(['fine']);
    expect(problems.map((p) => [p.code, p.ref])).toEqual([['MALFORMED_RECORD', 'broken']]);
  });

  it('repairs the labelled malformed files it can and refuses what is no calendar', () => {
    expect(parse('ical/malformed/broken_ical.ics').records.map((r) => r.title)).toEqual(['An Event with too many semicolons']);
    expect(parse('ical/malformed/blank_line_mid.ics').records).toEqual([]);
    const html = () => parseFeed('ICAL', Buffer.from('<!DOCTYPE html><html><body>Login</body></html>'), { horizon: wide });
    expect(html).toThrow(FeedError);
    expect(html).toThrow(expect.objectContaining({ code: 'NOT_A_FEED' }));
    const cutOff = () => parseFeed('ICAL', Buffer.from('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:'), { horizon: wide });
    expect(cutOff).toThrow(expect.objectContaining({ code: 'MALFORMED_FEED' }));
    const json = () => parseFeed('ICAL', Buffer.from('{"events":[]}'), { horizon: wide });
    expect(json).toThrow(expect.objectContaining({ code: 'NOT_A_FEED' }));
  });
});
