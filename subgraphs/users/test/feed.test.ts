import { feedScore, rankFeed, type FeedCandidate, type Interests } from '../src/domain/feed';

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

  it('keeps relevant events only, best first, soonest first among equals, at most `first`', () => {
    const ranked = rankFeed(
      [
        event('late-jazz', { categories: ['jazz'], startsAt: at(20) }),
        event('early-jazz', { categories: ['jazz'], startsAt: at(2) }),
        event('followed', { organizationId: 'org-a', startsAt: at(30) }),
        event('unrelated'),
      ],
      interests,
      2,
    );
    expect(ranked.map((e) => e.eventId)).toEqual(['followed', 'early-jazz']);
  });
});
