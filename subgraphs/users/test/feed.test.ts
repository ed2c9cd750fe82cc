import { feedAfter, feedKey, feedScore, parseFeedKey, scoreFeed, type FeedCandidate, type Interests } from '../src/domain/feed';

const at = (day: number) => new Date(Date.UTC(2027, 5, day, 18));
const event = (eventId: string, extra: Partial<FeedCandidate> = {}): FeedCandidate => ({
  eventId,
  organizationId: 'org-x',
  venueId: null,
  title: 'Something',
  categories: [],
  startsAt: at(1),
  ...extra,
});
const interests: Interests = {
  organizationIds: new Set(['org-a']),
  venueIds: new Set(['venue-a']),
  categories: ['jazz'],
  keywords: ['open air'],
};

describe('the personalised feed', () => {
  it('scores follows above preferences, and adds them up', () => {
    expect(feedScore(event('1', { organizationId: 'org-a' }), interests)).toBe(3);
    expect(feedScore(event('2', { venueId: 'venue-a' }), interests)).toBe(2);
    expect(feedScore(event('3', { categories: ['jazz', 'blues'] }), interests)).toBe(1);
    expect(feedScore(event('4', { title: 'Open Air Cinema' }), interests)).toBe(1);
    expect(feedScore(event('5', { organizationId: 'org-a', venueId: 'venue-a', categories: ['jazz'] }), interests)).toBe(6);
    expect(feedScore(event('6'), interests)).toBe(0);
  });

  const candidates = [
    event('late-jazz', { categories: ['jazz'], startsAt: at(20) }),
    event('early-jazz', { categories: ['jazz'], startsAt: at(2) }),
    event('followed', { organizationId: 'org-a', startsAt: at(30) }),
    event('unrelated'),
  ];

  it('keeps relevant events only, best first, soonest first among equals', () => {
    const scored = scoreFeed(candidates, interests);
    expect(scored.map((e) => e.event.eventId)).toEqual(['followed', 'early-jazz', 'late-jazz']);
    expect(scored.map((e) => e.position.score)).toEqual([3, 1, 1]);
  });

  it('continues after a position, also when an event before it is gone', () => {
    const scored = scoreFeed(candidates, interests);
    const afterFirst = feedAfter(scored, scored[0]!.position);
    expect(afterFirst.map((e) => e.event.eventId)).toEqual(['early-jazz', 'late-jazz']);
    const withoutEarly = scoreFeed(
      candidates.filter((c) => c.eventId !== 'early-jazz'),
      interests,
    );
    expect(feedAfter(withoutEarly, scored[1]!.position).map((e) => e.event.eventId)).toEqual(['late-jazz']);
  });

  it('writes a position as cursor text and reads it back, refusing other text', () => {
    const { position } = scoreFeed(candidates, interests)[0]!;
    expect(parseFeedKey(feedKey(position))).toEqual({ score: position.score, startsAt: position.startsAt });
    expect(parseFeedKey('three@yesterday')).toBeNull();
    expect(parseFeedKey('@2027-01-01T00:00:00.000Z')).toBeNull();
  });
});
