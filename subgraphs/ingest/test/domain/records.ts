import type { ParsedRecord } from '../../src/domain/records';

/** A parsed record as a feed would give it; each test says what differs. */
export function parsedRecord(over: Partial<ParsedRecord> = {}): ParsedRecord {
  return {
    feedId: 'evt-1',
    title: 'Jazz Night',
    description: null,
    startsAt: new Date('2027-03-05T19:00:00Z'),
    endsAt: new Date('2027-03-05T22:00:00Z'),
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
    raw: {},
    ...over,
  };
}
