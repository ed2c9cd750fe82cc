import {
  blockingFor,
  chooseCanonical,
  DEFAULT_DEDUP_SETTINGS,
  dedupSettingsFromEnv,
  scoreMatch,
  type CanonicalCandidate,
} from '../../src/domain/dedup';
import { normaliseRecord, type NormaliseContext } from '../../src/domain/normalise';
import type { NormalisedRecord, ParsedRecord } from '../../src/domain/records';
import { ConfigError } from '@eventgraph/runtime';
import { parsedRecord } from './records';

const ctx: NormaliseContext = { sourceKey: 'listing', kind: 'JSON', knownVenues: [], now: new Date('2027-01-01T00:00:00Z') };
const KB = { latitude: 52.5393, longitude: 13.4128 };

const record = (over: Partial<ParsedRecord>): NormalisedRecord => normaliseRecord(parsedRecord(over), ctx).record!;

/** a canonical event as the database would hand it over, from a record of another source */
function candidate(id: string, over: Partial<ParsedRecord>): CanonicalCandidate {
  const r = normaliseRecord(parsedRecord(over), { ...ctx, sourceKey: 'citycal', kind: 'ICAL' }).record!;
  return {
    id,
    title: r.title,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    allDay: r.allDay,
    latitude: r.place.latitude,
    longitude: r.place.longitude,
    venueId: r.place.venueId,
    city: r.place.city,
    urls: r.url ? [r.url] : [],
    externalIds: [r.externalId],
  };
}

const none = { forbidden: new Set<string>(), pinned: null };
const jazz = { title: 'Jazz Night', location: 'Kulturbrauerei, Berlin', ...KB };

describe('scoreMatch', () => {
  it('scores the same night at the same place, written differently, near 1', () => {
    const score = scoreMatch(
      record({ ...jazz, title: 'Jazz Night at Kulturbrauerei 2027' }),
      candidate('c1', { ...jazz, startsAt: new Date('2027-03-05T19:00:00Z') }),
      DEFAULT_DEDUP_SETTINGS,
    );
    expect(score).toEqual({ total: 1, title: 1, time: 1, location: 1 });
  });

  it('decays with the hours between starts, and keeps an all-day listing of that day close', () => {
    const anHourLater = scoreMatch(
      record(jazz),
      candidate('c1', { ...jazz, startsAt: new Date('2027-03-05T20:00:00Z') }),
      DEFAULT_DEDUP_SETTINGS,
    );
    expect(anHourLater.time).toBe(0.8);
    const allDay = scoreMatch(
      record(jazz),
      candidate('c1', { ...jazz, allDay: true, startsAt: new Date('2027-03-05T00:00:00Z'), endsAt: null }),
      DEFAULT_DEDUP_SETTINGS,
    );
    expect(allDay.time).toBe(0.8);
  });

  it('treats an unknown location as neutral', () => {
    const score = scoreMatch(record({ title: 'Jazz Night' }), candidate('c1', { title: 'Jazz Night' }), DEFAULT_DEDUP_SETTINGS);
    expect(score.location).toBe(0.5);
  });
});

describe('chooseCanonical', () => {
  it('matches the same event from another source despite word order, year and venue words', () => {
    const choice = chooseCanonical(
      record({ ...jazz, title: 'Kulturbrauerei: Jazz Night 2027', startsAt: new Date('2027-03-05T19:30:00Z') }),
      [candidate('c1', jazz)],
      DEFAULT_DEDUP_SETTINGS,
      none,
    );
    expect(choice).toMatchObject({ canonicalId: 'c1', explanation: { reason: 'SCORE' } });
  });

  it('does not match the same venue another night', () => {
    const nextNight = record({ ...jazz, startsAt: new Date('2027-03-06T19:00:00Z'), endsAt: null });
    expect(chooseCanonical(nextNight, [candidate('c1', jazz)], DEFAULT_DEDUP_SETTINGS, none)).toBeNull();
  });

  it('does not match the same title in another city', () => {
    const hamburg = record({ title: 'Jazz Night', location: 'Hamburg' });
    expect(chooseCanonical(hamburg, [candidate('c1', jazz)], DEFAULT_DEDUP_SETTINGS, none)).toBeNull();
  });

  it('does not match the same title at the same hour in two bars of one city', () => {
    const friedrichshain = record({
      title: 'Karaoke Night',
      location: 'Warschauer Str. 34, Berlin',
      latitude: 52.5087,
      longitude: 13.4487,
    });
    const mitte = candidate('c1', { title: 'Karaoke Night', location: 'Berlin Mitte', latitude: 52.5301, longitude: 13.3889 });
    expect(chooseCanonical(friedrichshain, [mitte], DEFAULT_DEDUP_SETTINGS, none)).toBeNull();
  });

  it('matches a listing that knows only the city with one that knows the venue in it', () => {
    const cityOnly = record({ title: 'Jazz Night', location: 'Berlin' });
    expect(chooseCanonical(cityOnly, [candidate('c1', jazz)], DEFAULT_DEDUP_SETTINGS, none)?.canonicalId).toBe('c1');
  });

  it('does not match another occurrence of a weekly series, nor the next edition of a conference', () => {
    const weekLater = record({ ...jazz, title: 'Jazz Night #13', startsAt: new Date('2027-03-12T19:00:00Z'), endsAt: null });
    expect(
      chooseCanonical(weekLater, [candidate('c1', { ...jazz, title: 'Jazz Night #12' })], DEFAULT_DEDUP_SETTINGS, none),
    ).toBeNull();
    const conf = {
      title: 'PyCon DE 2027',
      location: 'Darmstadt',
      allDay: true,
      startsAt: new Date('2027-04-14T00:00:00Z'),
      endsAt: null,
    };
    const nextYear = record({ ...conf, title: 'PyCon DE 2028', startsAt: new Date('2028-04-12T00:00:00Z') });
    expect(chooseCanonical(nextYear, [candidate('c1', conf)], DEFAULT_DEDUP_SETTINGS, none)).toBeNull();
  });

  it('matches on the same external id or the same event page that day first', () => {
    const again = candidate('c1', { ...jazz, feedId: 'x' });
    const sameId = normaliseRecord(parsedRecord({ ...jazz, feedId: 'x', title: 'Renamed' }), {
      ...ctx,
      sourceKey: 'citycal',
      kind: 'ICAL',
    }).record!;
    expect(chooseCanonical(sameId, [again], DEFAULT_DEDUP_SETTINGS, none)?.explanation.reason).toBe('EXTERNAL_ID');
    const page = 'https://kulturbrauerei.example/events/jazz-night';
    const byUrl = record({ title: 'Something else entirely', url: `${page}/?utm_source=x` });
    expect(
      chooseCanonical(byUrl, [candidate('c1', { ...jazz, url: page })], DEFAULT_DEDUP_SETTINGS, none)?.explanation.reason,
    ).toBe('URL');
    const nextWeekSamePage = record({ title: 'Jazz Night', url: page, startsAt: new Date('2027-03-12T19:00:00Z'), endsAt: null });
    expect(chooseCanonical(nextWeekSamePage, [candidate('c1', { ...jazz, url: page })], DEFAULT_DEDUP_SETTINGS, none)).toBeNull();
  });

  it("respects a moderator's pin and split", () => {
    const same = record(jazz);
    const c1 = candidate('c1', jazz);
    const pinned = chooseCanonical(record({ title: 'Unrelated' }), [c1], DEFAULT_DEDUP_SETTINGS, {
      forbidden: new Set(),
      pinned: 'c9',
    });
    expect(pinned).toMatchObject({ canonicalId: 'c9', explanation: { reason: 'PINNED' } });
    expect(chooseCanonical(same, [c1], DEFAULT_DEDUP_SETTINGS, { forbidden: new Set(['c1']), pinned: null })).toBeNull();
  });

  it('picks the best of several candidates above the threshold', () => {
    const choice = chooseCanonical(
      record(jazz),
      [candidate('far', { ...jazz, startsAt: new Date('2027-03-05T21:00:00Z') }), candidate('near', jazz)],
      DEFAULT_DEDUP_SETTINGS,
      none,
    );
    expect(choice?.canonicalId).toBe('near');
  });
});

describe('blockingFor', () => {
  it('gives a ±36 h window and the cell with its neighbours, or no cells without a place', () => {
    const block = blockingFor(record(jazz));
    expect(block.from.toISOString()).toBe('2027-03-04T07:00:00.000Z');
    expect(block.to.toISOString()).toBe('2027-03-07T07:00:00.000Z');
    expect(block.cells).toHaveLength(9);
    expect(block.cells[0]).toBe('u33d');
    expect(blockingFor(record({ title: 'Jazz Night' })).cells).toEqual([]);
  });

  it("widens the window to a multi-day event's length, up to a week", () => {
    const conference = record({
      title: 'ICCV',
      allDay: true,
      startsAt: new Date('2027-10-02T00:00:00Z'),
      endsAt: new Date('2027-10-07T00:00:00Z'),
    });
    expect(blockingFor(conference).from.toISOString()).toBe('2027-09-27T00:00:00.000Z');
    const festival = record({
      title: 'Summer',
      allDay: true,
      startsAt: new Date('2027-06-01T00:00:00Z'),
      endsAt: new Date('2027-08-31T00:00:00Z'),
    });
    expect(blockingFor(festival).to.toISOString()).toBe('2027-06-08T00:00:00.000Z');
  });
});

describe('dedupSettingsFromEnv', () => {
  it('uses the defaults when unset and reads weights (normalised) and threshold', () => {
    expect(dedupSettingsFromEnv({})).toEqual({ weights: { title: 0.4, time: 0.3, location: 0.3 }, threshold: 0.8 });
    expect(dedupSettingsFromEnv({ INGEST_DEDUP_WEIGHTS: '2,1,1', INGEST_DEDUP_THRESHOLD: '0.9' })).toEqual({
      weights: { title: 0.5, time: 0.25, location: 0.25 },
      threshold: 0.9,
    });
  });

  it.each([
    { INGEST_DEDUP_WEIGHTS: '0.4,0.3' },
    { INGEST_DEDUP_WEIGHTS: '0.4,-0.3,0.3' },
    { INGEST_DEDUP_WEIGHTS: 'a,b,c' },
    { INGEST_DEDUP_THRESHOLD: '1.5' },
    { INGEST_DEDUP_THRESHOLD: 'high' },
  ])('refuses %p with a ConfigError', (env) => {
    expect(() => dedupSettingsFromEnv(env)).toThrow(ConfigError);
  });
});
