import type { NormalisedRecord, ParsedRecord, SourceKind } from '../../src/domain/records';
import { normaliseRecord } from '../../src/domain/normalise';

/**
 * Two listings of the same nights, written differently (word order, a year, venue words in the title, another
 * time zone notation), as two real feeds would: the records pass through the real normalisation first.
 */
export function parsed(over: Partial<ParsedRecord> & { feedId: string; title: string; startsAt: Date }): ParsedRecord {
  return {
    description: null,
    endsAt: null,
    allDay: false,
    timeZone: 'Europe/Berlin',
    location: null,
    latitude: null,
    longitude: null,
    url: null,
    imageUrl: null,
    categories: [],
    cancelled: false,
    recurring: false,
    raw: { title: over.title, start: over.startsAt.toISOString(), ...(over.location ? { location: over.location } : {}) },
    ...over,
  };
}

export function normalised(record: ParsedRecord, sourceKey: string, kind: SourceKind = 'ICAL'): NormalisedRecord {
  const { record: result, problems } = normaliseRecord(record, {
    sourceKey,
    kind,
    knownVenues: [],
    now: new Date('2027-01-01T00:00:00Z'),
  });
  if (!result) throw new Error(`the fixture ${record.feedId} was refused: ${problems.map((p) => p.code).join(', ')}`);
  return result;
}

const at = (iso: string) => new Date(iso);

/** the city calendar: titles with the venue and the year in them */
export const cityCalendar = (): ParsedRecord[] => [
  parsed({
    feedId: 'cal-1',
    title: 'Jazz Night at Kulturbrauerei 2027',
    startsAt: at('2027-03-05T19:00:00Z'),
    endsAt: at('2027-03-05T22:00:00Z'),
    location: 'Kulturbrauerei, Berlin',
    latitude: 52.5393,
    longitude: 13.4128,
    description: '<p>Three bands, one night.</p>',
    categories: ['Music'],
  }),
  parsed({
    feedId: 'cal-2',
    title: 'Open Source Summit Berlin 2027',
    startsAt: at('2027-03-06T08:00:00Z'),
    endsAt: at('2027-03-06T16:00:00Z'),
    location: 'Berlin',
    url: 'https://example.org/oss-summit',
  }),
  parsed({
    feedId: 'cal-3',
    title: 'Poetry Slam',
    startsAt: at('2027-03-07T18:30:00Z'),
    location: 'Berlin',
  }),
];

/** the venue's own RSS listing: other word order, no year, more detail */
export const venueListing = (): ParsedRecord[] => [
  parsed({
    feedId: 'https://kulturbrauerei.example/jazz',
    title: 'Kulturbrauerei: Night of Jazz',
    startsAt: at('2027-03-05T19:00:00Z'),
    location: 'Kulturbrauerei Berlin',
    latitude: 52.5392,
    longitude: 13.4131,
    description: '<p>Three bands, one night, doors at 19:00.</p>',
    imageUrl: 'https://kulturbrauerei.example/jazz.jpg',
  }),
  parsed({
    feedId: 'oss-2027',
    title: 'Open Source Summit 2027',
    startsAt: at('2027-03-06T08:00:00Z'),
    location: 'Berlin, Germany',
    url: 'https://example.org/oss-summit',
  }),
  // same title as the city calendar's slam, but in Hamburg: another event
  parsed({
    feedId: 'slam-hh',
    title: 'Poetry Slam',
    startsAt: at('2027-03-07T18:30:00Z'),
    location: 'Hamburg',
  }),
];
