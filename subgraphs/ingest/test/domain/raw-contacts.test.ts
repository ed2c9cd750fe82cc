import { parseFeed } from '../../src/domain/parse';
import { isContactField, scrubContactData } from '../../src/domain/raw-contacts';
import { feed, fixtureFiles, wide } from '../parse/fixture-files';

/** Contact data in what feeds said (SourceRecord.raw), taken out by the retention policy ingest.raw-contacts. */
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
const rawOf = (kind: 'ICAL' | 'RSS', path: string) => parseFeed(kind, feed(path), { horizon: wide }).records.map((r) => r.raw);
const propertyNames = (raw: unknown) => ((raw as { properties: unknown[][] }).properties ?? []).map((p) => p[0]);

describe('scrubbing contact data from raw feed records', () => {
  it('drops iCalendar ORGANIZER (with its CN) and ATTENDEEs, and keeps the rest of the event (parserv2.ics)', () => {
    const raws = rawOf('ICAL', 'ical/parserv2.ics');
    const withOrganizer = raws.find((raw) => JSON.stringify(raw).includes('x@bar.com'))!;
    expect(JSON.stringify(withOrganizer)).toContain('foobar');
    const scrubbed = scrubContactData(withOrganizer);
    expect(JSON.stringify(scrubbed)).not.toMatch(/x@bar\.com|foobar|mailto/);
    expect(propertyNames(scrubbed)).toEqual(
      propertyNames(withOrganizer).filter((name) => name !== 'organizer' && name !== 'attendee'),
    );
    expect(propertyNames(scrubbed)).toEqual(expect.arrayContaining(['dtstart', 'summary', 'uid']));
  });

  it('drops the organiser of every Apple Calendar event (tentative-apple-calendar.ics)', () => {
    const raws = rawOf('ICAL', 'ical/tentative-apple-calendar.ics');
    expect(raws.filter((raw) => propertyNames(raw).includes('organizer')).length).toBeGreaterThan(0);
    for (const raw of raws) {
      const scrubbed = scrubContactData(raw);
      expect(propertyNames(scrubbed)).not.toContain('organizer');
      expect(JSON.stringify(scrubbed)).not.toMatch(EMAIL);
    }
  });

  it('drops Atom/GData authors and gd:who with their names and addresses (TestDataEventFeedSample1.xml)', () => {
    const raws = rawOf('RSS', 'rss/TestDataEventFeedSample1.xml');
    const text = JSON.stringify(raws);
    expect(text).toContain('gdata.ops.demo@gmail.com');
    expect(text).toContain('Ryan Boyd');
    const scrubbed = JSON.stringify(raws.map(scrubContactData));
    expect(scrubbed).not.toMatch(EMAIL);
    expect(scrubbed).not.toMatch(/Ryan Boyd|GData Ops Demo/);
    // the event itself is still there: its title and time
    expect(scrubbed).toContain('gd:when');
    expect(scrubbed).toContain('title');
  });

  it('leaves no e-mail address in any shared fixture feed, and changes nothing where there was none', () => {
    for (const [kind, folder] of [
      ['ICAL', 'ical'],
      ['RSS', 'rss'],
    ] as const) {
      for (const path of fixtureFiles(folder).filter((p) => !p.includes('malformed'))) {
        for (const raw of rawOf(kind, path)) {
          const scrubbed = scrubContactData(raw);
          expect(JSON.stringify(scrubbed)).not.toMatch(EMAIL);
          if (!EMAIL.test(JSON.stringify(raw)) && !/organizer|attendee|author|creator|who|contact/i.test(JSON.stringify(raw)))
            expect(scrubbed).toEqual(raw);
        }
      }
    }
  });

  it('drops RSS author and managingEditor, partner rows’ contact columns, and contact data in free text', () => {
    const item = {
      title: 'Jazz night',
      author: 'ada@example.org (Ada Lovelace)',
      managingEditor: 'editor@example.org',
      'dc:creator': 'Ada Lovelace',
      description: 'Questions? Tel.: +49 30 1234567 or mail info@jazz.example. Doors 19:00-23:00, 2027-03-05.',
      link: 'https://jazz.example/events/20270305',
    };
    const scrubbed = scrubContactData(item) as Record<string, string>;
    expect(Object.keys(scrubbed)).toEqual(['title', 'description', 'link']);
    expect(scrubbed.description).not.toMatch(/1234567|info@/);
    // dates and times are no phone numbers; a URL keeps its digits
    expect(scrubbed.description).toMatch(/^Questions\? .*Doors 19:00-23:00, 2027-03-05\.$/);
    expect(scrubbed.link).toBe(item.link);
    const row = {
      id: '7',
      name: 'Open air',
      contact_email: 'a@b.example',
      organizerName: 'Bob',
      phone: '+1 555 0100 200',
      venue: 'Park',
    };
    expect(scrubContactData(row)).toEqual({ id: '7', name: 'Open air', venue: 'Park' });
  });

  it('knows a contact field by the words of its name', () => {
    for (const key of [
      'author',
      'dc:creator',
      'itunes:owner',
      '@_email',
      'contactEmail',
      'organiser_phone',
      'gd:who',
      'ORGANIZER',
    ])
      expect(isContactField(key)).toBe(true);
    for (const key of ['title', 'hotel', 'thumbnail', 'dc:publisher', 'telemetry', 'description', 'location'])
      expect(isContactField(key)).toBe(false);
  });
});
