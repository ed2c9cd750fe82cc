import { normaliseRecord, type KnownVenue, type NormaliseContext } from '../../src/domain/normalise';
import type { ParsedRecord } from '../../src/domain/records';
import { parsedRecord } from './records';

const kulturbrauerei: KnownVenue = {
  id: 'venue-kb',
  name: 'Kulturbrauerei',
  city: 'Berlin',
  country: 'DE',
  latitude: 52.5393,
  longitude: 13.4128,
};
const ctx: NormaliseContext = {
  sourceKey: 'citycal',
  kind: 'ICAL',
  knownVenues: [kulturbrauerei],
  now: new Date('2027-01-01T00:00:00Z'),
};

const normalised = (over: Partial<ParsedRecord>, context = ctx) => {
  const { record, problems } = normaliseRecord(parsedRecord(over), context);
  if (!record) throw new Error(`refused: ${problems.map((p) => p.code).join(', ')}`);
  return record;
};

describe('normaliseRecord: public text', () => {
  it('keeps the allowed markup and drops scripts, event handlers, images and javascript: links', () => {
    const record = normalised({
      description:
        '<p onclick="steal()">Three <b>bands</b>, <i>one</i> night.</p><script>alert(1)</script><img src="x.png">' +
        '<a href="javascript:alert(1)">click</a> <a href="https://example.org/tickets">tickets</a><h1>big</h1>',
    });
    expect(record.description).toBe(
      '<p>Three <strong>bands</strong>, <em>one</em> night.</p><a rel="nofollow noopener">click</a> ' +
        '<a href="https://example.org/tickets" rel="nofollow noopener">tickets</a>big',
    );
  });

  it('turns plain text paragraphs into markup', () => {
    expect(normalised({ description: 'First line\nsecond line\n\nNext & last' }).description).toBe(
      '<p>First line<br />second line</p><p>Next &amp; last</p>',
    );
  });

  it('strips e-mail addresses and phone numbers from description and title, but not dates, times or years', () => {
    const record = normalised({
      title: 'Jazz Night (info@jazz.example)',
      description:
        'Tickets: Tel.: +49 30 1234 5678 or booking@jazz.example. Call (030) 555-12345 now. ' +
        'Doors 19:00-23:00 on 05.03.2027, season 2026-2027, price 15.00.',
    });
    expect(record.title).toBe('Jazz Night');
    expect(record.description).not.toMatch(/@|1234 5678|555-12345/);
    expect(record.description).toContain('19:00-23:00 on 05.03.2027, season 2026-2027, price 15.00');
  });

  it('cleans titles: tags, entities and whitespace, shouting kept as is', () => {
    expect(normalised({ title: '  <b>Rock &amp; Roll</b>\n  Caf&eacute;  ' }).title).toBe('Rock & Roll Café');
    expect(normalised({ title: 'HUGE PARTY TONIGHT' }).title).toBe('HUGE PARTY TONIGHT');
  });

  it('keeps only http(s) URLs, without tracking parameters', () => {
    const record = normalised({ url: 'https://example.org/e/1?utm_source=feed&id=3#top', imageUrl: 'javascript:x' });
    expect(record.url).toBe('https://example.org/e/1?id=3');
    expect(record.imageUrl).toBeNull();
  });
});

describe('normaliseRecord: categories', () => {
  it('maps the feed category words to the taxonomy with a high confidence', () => {
    expect(normalised({ categories: ['Konzert', 'Jazz'] }).categories).toEqual([{ slug: 'music', confidence: 0.9 }]);
  });

  it('guesses from the title with a lower confidence, and says other when nothing fits', () => {
    expect(normalised({ title: 'Stand-up Comedy Open Mic' }).categories[0]).toEqual({ slug: 'comedy', confidence: 0.6 });
    expect(normalised({ title: 'Quarterly Gathering' }).categories).toEqual([{ slug: 'other', confidence: 0.2 }]);
  });
});

describe('normaliseRecord: refusals', () => {
  it.each([
    ['MISSING_TITLE', { title: '  <br> ' }],
    ['MISSING_START', { startsAt: null }],
    ['END_BEFORE_START', { endsAt: new Date('2027-03-05T18:00:00Z') }],
  ] as const)('refuses a record with %s', (code, over) => {
    const { record, problems } = normaliseRecord(parsedRecord({ ...over, feedId: 'bad-1' }), ctx);
    expect(record).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ code, ref: 'bad-1' })]);
  });
});

describe('normaliseRecord: places', () => {
  it('matches a known venue by name and takes its coordinates', () => {
    const { place } = normalised({ location: 'Kulturbrauerei, Schönhauser Allee 36, 10435 Berlin' });
    expect(place).toMatchObject({ venueId: 'venue-kb', venueName: 'Kulturbrauerei', city: 'Berlin', latitude: 52.5393 });
    expect(place.confidence).toBeGreaterThanOrEqual(0.9);
    expect(place.cell).toBe('u33d');
  });

  it('geocodes a city offline: Berlin, and the larger or hinted namesake', () => {
    const berlin = normalised({ location: 'Somewhere Hall, Berlin' }).place;
    expect(berlin).toMatchObject({ venueId: null, city: 'Berlin', country: 'DE' });
    expect(berlin.latitude).toBeCloseTo(52.52, 1);
    expect(berlin.longitude).toBeCloseTo(13.4, 1);
    expect(normalised({ location: 'Paris' }).place.country).toBe('FR');
    expect(normalised({ location: 'Paris, TX, USA' }).place.country).toBe('US');
    expect(normalised({ location: 'Portland, OR' }).place.latitude).toBeCloseTo(45.5, 1);
    expect(normalised({ location: 'München' }).place.city).toBe('Munich');
    expect(normalised({ location: 'Washington, DC, USA' }).place.latitude).toBeCloseTo(38.9, 1);
    expect(normalised({ location: 'Seattle, Washington, USA' }).place.city).toBe('Seattle');
  });

  it('lets the feed coordinates win over the city centre', () => {
    const { place } = normalised({ location: 'Berlin', latitude: 52.4, longitude: 13.1 });
    expect(place).toMatchObject({ latitude: 52.4, longitude: 13.1, city: 'Berlin' });
  });

  it('leaves an online event without a place', () => {
    expect(normalised({ location: 'Online (Zoom)' }).place).toMatchObject({
      latitude: null,
      city: null,
      cell: null,
      confidence: 0,
    });
  });
});

describe('normaliseRecord: identity', () => {
  it('builds one external id per occurrence from source, kind, feed id and UTC date, stable across fetches', () => {
    const first = normalised({ feedId: 'abc123@google.com' });
    const again = normalised({ feedId: 'abc123@google.com', raw: { fetched: 'later' } });
    expect(first.externalId).toBe('citycal_ical_abc123-google.com_20270305');
    expect(again.externalId).toBe(first.externalId);
    expect(again.contentHash).toBe(first.contentHash);
    const nextWeek = normalised({ feedId: 'abc123@google.com', startsAt: new Date('2027-03-12T19:00:00Z'), endsAt: null });
    expect(nextWeek.externalId).toBe('citycal_ical_abc123-google.com_20270312');
  });

  it('hashes long feed ids and falls back to a hash of the URL or title', () => {
    const long = normalised({ feedId: `https://example.org/${'x'.repeat(100)}` }).externalId;
    expect(long).toMatch(/^citycal_ical_h[0-9a-f]{24}_20270305$/);
    const byUrl = normalised({ feedId: null, url: 'https://example.org/e/1' }, { ...ctx, kind: 'RSS' }).externalId;
    expect(byUrl).toMatch(/^citycal_rss_h[0-9a-f]{16}_20270305$/);
    expect(normalised({ feedId: null, url: 'https://example.org/e/1' }, { ...ctx, kind: 'RSS' }).externalId).toBe(byUrl);
    expect(normalised({ feedId: null, title: 'Another night' }).externalId).not.toBe(normalised({ feedId: null }).externalId);
  });

  it('changes the content hash when a published field changes', () => {
    expect(normalised({ title: 'Jazz Night' }).contentHash).not.toBe(normalised({ title: 'Jazz Night (moved)' }).contentHash);
  });
});
