import {
  moderationOnArrival,
  qualityScore,
  surviveFields,
  TRUST_LEVELS,
  type CanonicalFields,
  type SurvivorshipMember,
} from '../../src/domain/dedup';
import { normaliseRecord } from '../../src/domain/normalise';
import type { ParsedRecord } from '../../src/domain/records';
import { parsedRecord } from './records';

function member(over: Partial<ParsedRecord>, trust: number, priority = 0, seenAt = '2027-01-01T00:00:00Z'): SurvivorshipMember {
  const { record } = normaliseRecord(parsedRecord(over), {
    sourceKey: `s${trust}${priority}`,
    kind: 'JSON',
    knownVenues: [],
    now: new Date('2027-01-01T00:00:00Z'),
  });
  return { record: record!, trust, priority, seenAt: new Date(seenAt) };
}

describe('surviveFields', () => {
  it('takes each field from the most trusted member that has it', () => {
    const official = member(
      { title: 'Jazz Night', location: 'Berlin', url: 'https://official.example/jazz' },
      TRUST_LEVELS.OFFICIAL,
    );
    const listing = member(
      {
        title: 'JAZZ NIGHT!!!',
        imageUrl: 'https://listing.example/jazz.jpg',
        description: 'A long description of the night.',
        categories: ['Music'],
      },
      TRUST_LEVELS.STANDARD,
    );
    const fields = surviveFields([listing, official]);
    expect(fields.title).toBe('Jazz Night');
    expect(fields.url).toBe('https://official.example/jazz');
    expect(fields.imageUrl).toBe('https://listing.example/jazz.jpg');
    expect(fields.description).toBe('<p>A long description of the night.</p>');
    expect(fields.place.city).toBe('Berlin');
    expect(fields.categories[0]?.slug).toBe('music');
  });

  it('breaks trust ties by priority, then by the most recently seen, and prefers the longer description among equals', () => {
    const low = member({ title: 'Low priority' }, 50, 1);
    const high = member({ title: 'High priority', description: 'short' }, 50, 5, '2026-12-01T00:00:00Z');
    const highNewer = member(
      { title: 'High priority, newer', description: 'a much longer description' },
      50,
      5,
      '2026-12-20T00:00:00Z',
    );
    const fields = surviveFields([low, high, highNewer]);
    expect(fields.title).toBe('High priority, newer');
    expect(fields.description).toBe('<p>a much longer description</p>');
  });

  it('is cancelled only when every member says so', () => {
    const cancelled = member({ cancelled: true }, 100);
    expect(surviveFields([cancelled, member({}, 25)]).cancelled).toBe(false);
    expect(surviveFields([cancelled, member({ cancelled: true }, 25)]).cancelled).toBe(true);
  });
});

const fields = (over: Partial<ParsedRecord>): CanonicalFields => surviveFields([member(over, 50)]);
const complete: Partial<ParsedRecord> = {
  title: 'Jazz Night with the Quartet',
  description: 'Three bands from the city play standards and their own pieces, from eight until late. Doors at seven.',
  location: 'Berlin',
  url: 'https://example.org/jazz',
  imageUrl: 'https://example.org/jazz.jpg',
  categories: ['Music'],
};

describe('qualityScore', () => {
  it('scores a complete listing of a trusted source high, without signals', () => {
    const quality = qualityScore(fields(complete), TRUST_LEVELS.TRUSTED);
    expect(quality).toEqual({ score: 0.9, signals: [] });
  });

  it('names what is missing and a low trust', () => {
    const quality = qualityScore(fields({ title: 'Jazz Night' }), TRUST_LEVELS.UNVERIFIED);
    expect(quality.signals).toEqual(['NO_DESCRIPTION', 'NO_PLACE', 'NO_URL', 'NO_IMAGE', 'LOW_TRUST']);
    expect(quality.score).toBeLessThan(0.3);
  });

  it('detects spam signals: shouting, punctuation, emoji, a URL in the title, a link-only description', () => {
    const spam = qualityScore(
      fields({
        ...complete,
        title: 'HUGE PARTY TONIGHT!!! 🎉🎉🎉 www.cheap-tickets.example',
        description: '<a href="https://cheap-tickets.example">https://cheap-tickets.example</a>',
      }),
      TRUST_LEVELS.STANDARD,
    );
    expect(spam.signals).toEqual(
      expect.arrayContaining([
        'SHOUTING_TITLE',
        'EXCESSIVE_PUNCTUATION',
        'EXCESSIVE_EMOJI',
        'URL_IN_TITLE',
        'LINK_ONLY_DESCRIPTION',
      ]),
    );
    expect(spam.score).toBe(0);
    expect(qualityScore(fields({ ...complete, title: 'ABBA Tribute' }), 50).signals).not.toContain('SHOUTING_TITLE');
  });
});

describe('moderationOnArrival', () => {
  const bar = { minTrust: TRUST_LEVELS.TRUSTED, minQuality: 0.7 };
  it('approves when the source opted in and clears both bars', () => {
    expect(moderationOnArrival({ quality: 0.8, trust: 75, autoApprove: bar })).toBe('APPROVED');
  });
  it('leaves it pending below a bar or without auto-approval', () => {
    expect(moderationOnArrival({ quality: 0.6, trust: 100, autoApprove: bar })).toBe('PENDING');
    expect(moderationOnArrival({ quality: 0.9, trust: 50, autoApprove: bar })).toBe('PENDING');
    expect(moderationOnArrival({ quality: 0.9, trust: 100, autoApprove: null })).toBe('PENDING');
  });
  it('flags very low quality, even from a source that auto-approves', () => {
    expect(moderationOnArrival({ quality: 0.1, trust: 100, autoApprove: { minTrust: 0, minQuality: 0 } })).toBe('FLAGGED');
  });
});
