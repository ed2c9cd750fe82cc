import { CandidatePool, candidateOf, mergeBlocks, type BatchCandidate } from '../../src/canonical/candidates';
import type { NormalisedRecord } from '../../src/domain/records';

const hour = 3600_000;
const at = (iso: string) => new Date(iso);

const record = (over: Partial<NormalisedRecord> & { startsAt: Date }): NormalisedRecord => ({
  externalId: 'r',
  feedId: 'r',
  title: 'Jazz Night',
  description: '',
  endsAt: null,
  allDay: false,
  timeZone: null,
  place: {
    text: null,
    venueId: null,
    venueName: null,
    city: null,
    country: null,
    latitude: null,
    longitude: null,
    confidence: 0,
    cell: null,
  },
  url: null,
  imageUrl: null,
  categories: [],
  cancelled: false,
  contentHash: 'h',
  raw: {},
  ...over,
});

const candidate = (id: string, startsAt: string, cell: string | null, urls: string[] = []): BatchCandidate => ({
  ...candidateOf(id, record({ startsAt: at(startsAt), url: urls[0] ?? null }), 'source'),
  cell,
});

describe('candidate blocks', () => {
  it('merge overlapping windows of the same cells, and keep other cells apart', () => {
    const merged = mergeBlocks([
      { from: at('2027-01-01T00:00:00Z'), to: at('2027-01-03T00:00:00Z'), cells: ['u33d', 'u33e'] },
      { from: at('2027-01-02T00:00:00Z'), to: at('2027-01-04T00:00:00Z'), cells: ['u33e', 'u33d'] },
      { from: at('2027-02-01T00:00:00Z'), to: at('2027-02-02T00:00:00Z'), cells: ['u33d', 'u33e'] },
      { from: at('2027-01-01T00:00:00Z'), to: at('2027-01-02T00:00:00Z'), cells: ['u1hx'] },
    ]);
    expect(merged).toEqual([
      { from: at('2027-01-01T00:00:00Z'), to: at('2027-01-04T00:00:00Z'), cells: ['u33d', 'u33e'] },
      { from: at('2027-02-01T00:00:00Z'), to: at('2027-02-02T00:00:00Z'), cells: ['u33d', 'u33e'] },
      { from: at('2027-01-01T00:00:00Z'), to: at('2027-01-02T00:00:00Z'), cells: ['u1hx'] },
    ]);
  });
});

describe('the candidate pool of a batch', () => {
  const pool = new CandidatePool([
    candidate('berlin-same-night', '2027-01-01T20:00:00Z', 'u33d'),
    candidate('unknown-place', '2027-01-01T19:00:00Z', null),
    candidate('hamburg', '2027-01-01T19:00:00Z', 'u1x0'),
    candidate('berlin-next-week', '2027-01-08T19:00:00Z', 'u33d', ['https://example.org/series']),
    candidate('shared-url', '2027-01-01T21:00:00Z', 'u0zz', ['https://example.org/jazz']),
  ]);
  const block = {
    from: new Date(at('2027-01-01T19:00:00Z').getTime() - 36 * hour),
    to: new Date(at('2027-01-01T19:00:00Z').getTime() + 36 * hour),
    cells: ['u33d'],
  };

  it('offers the events in the record’s window and cells, and those of unknown place', () => {
    const found = pool.for(record({ startsAt: at('2027-01-01T19:00:00Z') }), block, null).map((c) => c.id);
    expect(found.sort()).toEqual(['berlin-same-night', 'unknown-place']);
  });

  it('adds a shared URL only near the record’s start (a series page is not one event), and a pinned event always', () => {
    const jazz = record({ startsAt: at('2027-01-01T19:00:00Z'), url: 'https://example.org/jazz' });
    expect(pool.for(jazz, block, null).map((c) => c.id)).toContain('shared-url');
    const series = record({ startsAt: at('2027-01-01T19:00:00Z'), url: 'https://example.org/series' });
    expect(pool.for(series, block, null).map((c) => c.id)).not.toContain('berlin-next-week');
    expect(pool.for(series, block, 'hamburg').map((c) => c.id)).toContain('hamburg');
  });

  it('lets a later record of the batch find an event an earlier one started', () => {
    const local = new CandidatePool([]);
    local.add(candidate('started-in-batch', '2027-01-01T19:30:00Z', 'u33d'));
    expect(local.for(record({ startsAt: at('2027-01-01T19:00:00Z') }), block, null).map((c) => c.id)).toEqual([
      'started-in-batch',
    ]);
    expect(local.byId('started-in-batch')?.cell).toBe('u33d');
  });
});
