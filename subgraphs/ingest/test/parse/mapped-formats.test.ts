import { configProblems, nextPageUrl, parseFeed, SourceConfigError } from '../../src/domain/parse';
import { iso, wide } from './fixture-files';

const options = (config: unknown, baseUrl?: string) => ({ horizon: wide, config, baseUrl });

describe('CSV uploads', () => {
  const config = {
    columns: { id: 'ID', title: 'Name', startsAt: 'Start', endsAt: 'End', location: 'Venue', url: 'Link', category: 'Tags' },
    timeZone: 'Europe/Berlin',
  };

  it('maps columns, strips the BOM, reads quoted fields and wall-clock times in the source zone', () => {
    const csv =
      '\uFEFFID,Name,Start,End,Venue,Link,Tags\r\n' +
      '7,"Jazz, late","2027-07-12 19:30","2027-07-12 22:00","Stadtpark ""Open Air""",https://example.org/7,"music;jazz"\r\n';
    const { records, problems } = parseFeed('CSV', Buffer.from(csv), options(config));
    expect(problems).toEqual([]);
    expect(records[0]).toMatchObject({
      feedId: '7',
      title: 'Jazz, late',
      location: 'Stadtpark "Open Air"',
      url: 'https://example.org/7',
      categories: ['music', 'jazz'],
      timeZone: 'Europe/Berlin',
    });
    expect([iso(records[0]!.startsAt), iso(records[0]!.endsAt)]).toEqual([
      '2027-07-12T17:30:00.000Z',
      '2027-07-12T20:00:00.000Z',
    ]);
  });

  it('reports a bad row by its row number and keeps the others', () => {
    const csv = 'Name;Start\nGood;2027-01-02T10:00:00Z\nBad;next tuesday\nAlso good;12.03.2027 20:00\n';
    const { records, problems } = parseFeed('CSV', Buffer.from(csv), options({ columns: { title: 'Name', startsAt: 'Start' } }));
    expect(records.map((r) => [r.title, iso(r.startsAt)])).toEqual([
      ['Good', '2027-01-02T10:00:00.000Z'],
      ['Also good', '2027-03-12T20:00:00.000Z'],
    ]);
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_DATE', ref: 'row 3' })]);
  });

  it('reads dates with an explicit pattern and refuses files it cannot parse or that lack the mapped columns', () => {
    const custom = parseFeed(
      'CSV',
      Buffer.from('t,d\nA,07/12/2027 7:30 PM\n'),
      options({ columns: { title: 't', startsAt: 'd' }, dateFormat: 'MM/DD/YYYY h:mm A' }),
    );
    expect(iso(custom.records[0]!.startsAt)).toBe('2027-07-12T19:30:00.000Z');
    expect(() =>
      parseFeed('CSV', Buffer.from('t,d\n"unclosed,2027-01-01\n'), options({ columns: { title: 't', startsAt: 'd' } })),
    ).toThrow(expect.objectContaining({ code: 'MALFORMED_FEED' }));
    expect(() => parseFeed('CSV', Buffer.from('a,b\n1,2\n'), options({ columns: { title: 't', startsAt: 'd' } }))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_FEED' }),
    );
  });
});

describe('partner JSON and webhook bodies', () => {
  const config = {
    itemsPath: 'data.items',
    fields: {
      id: 'id',
      title: 'name',
      startsAt: 'start.utc',
      endsAt: 'end.utc',
      timeZone: 'start.timezone',
      location: 'venue.name',
      latitude: 'venue.lat',
      longitude: 'venue.lon',
      url: 'url',
      category: 'tags',
      status: 'status',
    },
    nextPagePath: 'paging.next',
  };
  const page = {
    data: {
      items: [
        {
          id: 'e1',
          name: 'Opening night',
          start: { utc: '2027-05-01T18:00:00Z', timezone: 'Europe/Paris' },
          end: { utc: '2027-05-01T21:00:00Z' },
          venue: { name: 'Olympia', lat: 48.87, lon: 2.33 },
          url: 'https://p.example/e1',
          tags: ['music'],
          status: 'cancelled',
        },
        { id: 'e2', name: 'Broken', start: { utc: 'soon' } },
        { id: 'e3', name: 'Bad zone', start: { utc: '2027-05-02T18:00:00Z', timezone: 'Atlantis/Capital' } },
        'not an object',
      ],
    },
    paging: { next: '/api/events?page=2' },
  };

  it('maps dot paths, keeps per-item problems, and finds the next page', () => {
    const body = Buffer.from(JSON.stringify(page));
    const { records, problems } = parseFeed('JSON', body, options(config));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      feedId: 'e1',
      title: 'Opening night',
      timeZone: 'Europe/Paris',
      location: 'Olympia',
      latitude: 48.87,
      longitude: 2.33,
      categories: ['music'],
      cancelled: true,
    });
    expect(iso(records[0]!.endsAt)).toBe('2027-05-01T21:00:00.000Z');
    expect(problems.map((p) => [p.code, p.ref])).toEqual([
      ['INVALID_DATE', 'e2'],
      ['INVALID_TIME_ZONE', 'e3'],
      ['MALFORMED_RECORD', 'item 4'],
    ]);
    expect(nextPageUrl('JSON', body, config, 'https://p.example/api/events?page=1')).toBe('https://p.example/api/events?page=2');
    expect(nextPageUrl('JSON', Buffer.from('{"data":{"items":[]}}'), config, 'https://p.example/api/events')).toBeNull();
  });

  it('reads a webhook push of one item with the same mapping, and refuses malformed JSON', () => {
    const push = { data: { items: { id: 'w1', name: 'Pushed', start: { utc: 1_815_000_000 } } } };
    const { records } = parseFeed('WEBHOOK', Buffer.from(JSON.stringify(push)), options(config));
    expect(records.map((r) => [r.feedId, iso(r.startsAt)])).toEqual([['w1', new Date(1_815_000_000_000).toISOString()]]);
    expect(() => parseFeed('JSON', Buffer.from('{"data": [1,'), options(config))).toThrow(
      expect.objectContaining({ code: 'MALFORMED_FEED' }),
    );
    expect(() => parseFeed('JSON', Buffer.from('{"other": []}'), options(config))).toThrow(
      expect.objectContaining({ code: 'NOT_A_FEED' }),
    );
  });
});

describe('HTML listing pages', () => {
  const config = {
    container: 'article.event',
    title: 'h2',
    date: 'time.start',
    endDate: 'time.end@datetime',
    location: '.venue',
    link: 'a.more',
    description: '.summary',
    image: 'img',
    nextPage: 'a[rel=next]',
    timeZone: 'Europe/London',
  };
  const page = `<!doctype html><html><body>
    <article class="event"><h2> Folk  Night </h2><time class="start" datetime="2027-07-12T19:30">Sat 12 July, 7:30pm</time>
      <time class="end" datetime="2027-07-12T23:00"></time><span class="venue">The Crown, Bristol</span>
      <a class="more" href="/events/folk-night">More</a><div class="summary"><p>Songs &amp; tunes</p></div><img src="/img/folk.jpg"></article>
    <article class="event"><h2>Quiz</h2><time class="start">Sat 19 July 2027 20:00</time><a class="more" href="https://other.example/quiz">More</a></article>
    <article class="event"><h2>Mystery</h2><time class="start">when the moon is full</time><a class="more" href="/m">More</a></article>
    <a rel="next" href="?page=2">Next</a></body></html>`;

  it('reads fields by selector and @attribute, resolves links, and parses human dates', () => {
    const { records, problems } = parseFeed('HTML', Buffer.from(page), options(config, 'https://pub.example/whats-on'));
    expect(records[0]).toMatchObject({
      title: 'Folk Night',
      location: 'The Crown, Bristol',
      url: 'https://pub.example/events/folk-night',
      feedId: 'https://pub.example/events/folk-night',
      imageUrl: 'https://pub.example/img/folk.jpg',
      description: '<p>Songs &amp; tunes</p>',
      timeZone: 'Europe/London',
    });
    expect([iso(records[0]!.startsAt), iso(records[0]!.endsAt)]).toEqual([
      '2027-07-12T18:30:00.000Z',
      '2027-07-12T22:00:00.000Z',
    ]);
    expect(iso(records[1]!.startsAt)).toBe('2027-07-19T19:00:00.000Z');
    expect(problems).toEqual([expect.objectContaining({ code: 'INVALID_DATE', ref: 'entry 3' })]);
    expect(nextPageUrl('HTML', Buffer.from(page), config, 'https://pub.example/whats-on')).toBe(
      'https://pub.example/whats-on?page=2',
    );
  });

  it('refuses a page where the container matches nothing', () => {
    expect(() => parseFeed('HTML', Buffer.from('<html><body><p>Closed</p></body></html>'), options(config))).toThrow(
      expect.objectContaining({ code: 'SELECTOR_NO_MATCH' }),
    );
  });
});

describe('source configs', () => {
  it('names every problem with its field, and parsers refuse a config that has any', () => {
    expect(configProblems('CSV', { columns: { title: 'Name' }, delimiter: ';;', timeZone: 'Mars/Base' })).toEqual([
      'config.columns.startsAt is required',
      'config.delimiter must be one character',
      'config.timeZone is not a known IANA time zone',
    ]);
    expect(configProblems('JSON', { fields: { title: 'name', startsAt: 'start', colour: 'c' } })).toEqual([
      expect.stringContaining('config.fields.colour is not an event field'),
    ]);
    expect(configProblems('HTML', { container: '.e', title: 'h2', date: 'time@', link: 'a' })).toEqual([
      'config.date must be a CSS selector, optionally ending in @attribute',
    ]);
    expect(configProblems('HTML', undefined)).toEqual(['config is required for HTML sources']);
    expect(configProblems('ICAL', undefined)).toEqual([]);
    expect(configProblems('ICAL', { maxOccurrences: 0 })).toEqual(['config.maxOccurrences must be an integer from 1 to 10000']);
    expect(() => parseFeed('CSV', Buffer.from('a\n'), options({ columns: {} }))).toThrow(SourceConfigError);
  });
});
