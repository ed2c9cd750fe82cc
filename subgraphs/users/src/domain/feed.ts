/**
 * The personalised feed: upcoming events a user may see, ranked by how much
 * they have to do with what the user follows and prefers. Pure: the caller
 * brings the candidates and the user's follows and preferences.
 */
export interface FeedCandidate {
  eventId: string;
  organizationId: string | null;
  /** a user's own event: its owner */
  ownerUserId?: string | null;
  venueId: string | null;
  title: string | null;
  categories: string[];
  startsAt: Date;
}

export interface Interests {
  /** whose feed it is: their own events always belong in it */
  userId?: string;
  /** people followed: their events */
  userIds?: ReadonlySet<string>;
  organizationIds: ReadonlySet<string>;
  venueIds: ReadonlySet<string>;
  categories: readonly string[];
  keywords: readonly string[];
}

export const FEED_WEIGHTS = {
  own: 4,
  followedOrganization: 3,
  followedUser: 3,
  followedVenue: 2,
  category: 1,
  keyword: 1,
} as const;

export function feedScore(event: FeedCandidate, interests: Interests): number {
  let score = 0;
  if (event.ownerUserId && event.ownerUserId === interests.userId) score += FEED_WEIGHTS.own;
  if (event.ownerUserId && interests.userIds?.has(event.ownerUserId)) score += FEED_WEIGHTS.followedUser;
  if (event.organizationId && interests.organizationIds.has(event.organizationId)) score += FEED_WEIGHTS.followedOrganization;
  if (event.venueId && interests.venueIds.has(event.venueId)) score += FEED_WEIGHTS.followedVenue;
  if (event.categories.some((c) => interests.categories.includes(c))) score += FEED_WEIGHTS.category;
  const title = event.title?.toLowerCase() ?? '';
  if (interests.keywords.some((k) => title.includes(k))) score += FEED_WEIGHTS.keyword;
  return score;
}

/**
 * A user's own event wins over the events it stands for in that user's views: those are left out (`replaced`:
 * the `replaces` of the user's own events, as the events subgraph computes them).
 */
export const withoutReplaced = <T extends { eventId: string }>(events: T[], replaced: ReadonlySet<string>): T[] =>
  events.filter((e) => !replaced.has(e.eventId));

/** Where an event stands in a feed, which is ordered by score (best first), start (soonest first), then event id. */
export interface FeedPosition {
  score: number;
  startsAt: Date;
  eventId: string;
}

const comparePositions = (a: FeedPosition, b: FeedPosition): number =>
  b.score - a.score || a.startsAt.getTime() - b.startsAt.getTime() || a.eventId.localeCompare(b.eventId);

/** Relevant events only (score above 0), in feed order, with their positions. */
export function scoreFeed<T extends FeedCandidate>(
  events: T[],
  interests: Interests,
): Array<{ event: T; position: FeedPosition }> {
  return events
    .map((event) => ({
      event,
      position: { score: feedScore(event, interests), startsAt: event.startsAt, eventId: event.eventId },
    }))
    .filter((e) => e.position.score > 0)
    .sort((a, b) => comparePositions(a.position, b.position));
}

/** The scored feed after `position` (the page after a cursor): stable while other events come and go. */
export const feedAfter = <E extends { position: FeedPosition }>(scored: E[], position: FeedPosition): E[] =>
  scored.filter((e) => comparePositions(e.position, position) > 0);

/** A position's sort key as cursor text, and back (null for text that is none). */
export const feedKey = (p: FeedPosition): string => `${p.score}@${p.startsAt.toISOString()}`;
export function parseFeedKey(key: string): { score: number; startsAt: Date } | null {
  const [score, at] = key.split('@');
  const startsAt = new Date(at ?? '');
  return Number.isInteger(Number(score)) && score !== '' && !Number.isNaN(startsAt.getTime())
    ? { score: Number(score), startsAt }
    : null;
}
