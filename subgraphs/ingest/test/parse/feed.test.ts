import iconv from 'iconv-lite';
import { parseFeed } from '../../src/domain/parse';
import { feed, iso } from './fixture-files';

const year2007 = { from: new Date('2007-01-01T00:00:00Z'), to: new Date('2007-12-31T00:00:00Z') };
const parse = (path: string, contentType?: string) => parseFeed('RSS', feed(path), { horizon: year2007, contentType });
const rss = (items: string, declaration = '<?xml version="1.0" encoding="UTF-8"?>') =>
  Buffer.from(`${declaration}<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`);

describe('RSS and Atom parsing', () => {
  it('decodes an ISO-8859-1 feed by its XML declaration', () => {
    const { records } = parse('rss/encoding.rss');
    expect(records).toHaveLength(40);
    expect(records[0]!.title).toBe('Mãe de utente é a nova presidente da Raríssimas');
    expect(records[0]!.categories).toEqual(['Nacional']);
    expect(iso(records[0]!.startsAt)).toBe('2018-01-03T13:47:00.000Z'); // pubDate with a trailing newline
  });

  it('honours the HTTP charset when the body declares none', () => {
    const body = Buffer.concat([
      Buffer.from('<rss version="2.0"><channel><item><title>'),
      iconv.encode('Café – Straße', 'windows-1252'),
      Buffer.from('</title><pubDate>Sat, 10 Jul 2027 18:00:00 GMT</pubDate></item></channel></rss>'),
    ]);
    const [record] = parseFeed('RSS', body, {
      horizon: year2007,
      contentType: 'application/rss+xml; charset=windows-1252',
    }).records;
    expect(record!.title).toBe('Café – Straße');
  });

  it('reads heise’s Atom entries: ids, alternate links, published dates, German text', () => {
    const { records } = parse('rss/heise.atom');
    expect(records).toHaveLength(15);
    expect(records[0]).toMatchObject({
      feedId: 'http://heise.de/-3088438',
      title: 'Java-Anwendungsserver: Red Hat gibt WildFly 10 frei',
      url: 'http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html?wt_mc=rss.developer.beitrag.atom',
    });
    expect(iso(records[0]!.startsAt)).toBe('2016-02-01T16:22:00.000Z'); // published 17:22+01:00, not updated
    expect(records.some((r) => r.title?.includes('veröffentlicht'))).toBe(true);
  });

  it('prefers gd:when event times, reads gd:where and cancellations, and expands gd:recurrence', () => {
    const { records } = parse('rss/TestDataEventFeedSample1.xml');
    const deleted = records.find((r) => r.title === 'test deleted')!;
    expect([iso(deleted.startsAt), iso(deleted.endsAt), deleted.cancelled, deleted.timeZone]).toEqual([
      '2007-03-23T19:00:00.000Z',
      '2007-03-23T20:00:00.000Z',
      true,
      'America/Los_Angeles',
    ]);
    expect(records.find((r) => r.title === 'Afternoon at Dolores Park with Kim')!.location).toBe('Dolores Park with Kim');
    const meetings = records.filter((r) => r.title === 'Team meeting');
    expect(meetings.length).toBeGreaterThan(10); // weekly on Fridays, 23 March to 17 August 2007
    expect(iso(meetings[0]!.startsAt)).toBe('2007-03-23T16:00:00.000Z');
    expect(meetings.every((m) => m.recurring && m.startsAt!.getUTCDay() === 5)).toBe(true);
  });

  it('reads RSS 1.0 (RDF) items, media and enclosure images, and single-digit days', () => {
    const craigslist = parse('rss/craigslist.rss').records;
    expect(craigslist).toHaveLength(25);
    expect(craigslist[0]!.imageUrl).toBe('https://images.craigslist.org/00l0l_fbVZikCjEKO_300x300.jpg');
    expect(iso(craigslist[0]!.startsAt)).toBe('2017-06-21T17:33:10.000Z');
    const huff = parse('rss/HuffPostCanada.xml').records;
    expect(huff[0]!.imageUrl).toMatch(/^http:\/\/o\.aolcdn\.com\/hss\/storage\/midas\/b1726dd5/);
    expect(huff[0]!.title).toBe('Winnipeg High School Orders Custom Hijabs For Muslim Athletes');
    const hn = parse('rss/RSSWithComments.xml').records;
    expect(hn).toHaveLength(30);
    expect(iso(hn[0]!.startsAt)).toBe('2022-04-06T21:07:47.000Z');
  });

  it('falls back from an unreadable date to the next, and forgives a missing closing root tag', () => {
    const { records, problems } = parse('rss/malformed/InvalidDateFormat.xml');
    expect(problems).toEqual([]);
    expect(records.map((r) => iso(r.startsAt))).toEqual(['2017-10-16T15:10:00.000Z', '2017-10-17T12:17:00.000Z']);
  });

  it('refuses HTML, unknown XML and truncated feeds with codes', () => {
    expect(() => parse('rss/malformed/unrecognized.rss')).toThrow(expect.objectContaining({ code: 'NOT_A_FEED' }));
    expect(() => parseFeed('RSS', Buffer.from('<?xml version="1.0"?><svg></svg>'), { horizon: year2007 })).toThrow(
      expect.objectContaining({ code: 'NOT_A_FEED' }),
    );
    const truncated = rss('<item><title>One</title></item><item><title>Tw').subarray(0, 80);
    expect(() => parseFeed('RSS', truncated, { horizon: year2007 })).toThrow(expect.objectContaining({ code: 'MALFORMED_FEED' }));
  });

  it('gives items without guid or link a stable id, and reports items whose dates are all unreadable', () => {
    const body = rss(
      '<item><title>No id</title><pubDate>Sat, 10 Jul 2027 18:00:00 GMT</pubDate></item><item><title>Bad date</title><guid>b</guid><pubDate>someday</pubDate></item>',
    );
    const first = parseFeed('RSS', body, { horizon: year2007 });
    const again = parseFeed('RSS', body, { horizon: year2007 });
    expect(first.records).toHaveLength(1);
    expect(first.records[0]!.feedId).toMatch(/^sha1:/);
    expect(first.records[0]!.feedId).toBe(again.records[0]!.feedId);
    expect(first.problems).toEqual([expect.objectContaining({ code: 'INVALID_DATE', ref: 'b' })]);
  });

  it('prefers the RSS event module’s ev:startdate and ev:location', () => {
    const body = Buffer.from(
      '<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"><channel><item><title>Concert</title><link>https://example.org/c</link>' +
        '<pubDate>Mon, 01 Feb 2027 09:00:00 GMT</pubDate><ev:startdate>2027-07-12T19:30:00+02:00</ev:startdate><ev:enddate>2027-07-12T22:00:00+02:00</ev:enddate>' +
        '<ev:location>Stadtpark, Hamburg</ev:location><category>Music</category></item></channel></rss>',
    );
    const [record] = parseFeed('RSS', body, { horizon: year2007 }).records;
    expect([iso(record!.startsAt), iso(record!.endsAt), record!.location, record!.categories, record!.feedId]).toEqual([
      '2027-07-12T17:30:00.000Z',
      '2027-07-12T20:00:00.000Z',
      'Stadtpark, Hamburg',
      ['Music'],
      'https://example.org/c',
    ]);
  });
});
