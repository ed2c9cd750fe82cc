/**
 * The personalised feed: upcoming events a user may see, ranked by how much
 * they have to do with what the user follows and prefers. Pure: the caller
 * brings the candidates and the user's follows and preferences.
 */
export interface FeedCandidate {
  eventId: string;
  organizationId: string;
  venueId: string | null;
  title: string | null;
  categories: string[];
  startsAt: Date;
}

export interface Interests {
  organizationIds: ReadonlySet<string>;
  venueIds: ReadonlySet<string>;
  categories: readonly string[];
  keywords: readonly string[];
}

export const FEED_WEIGHTS = { followedOrganization: 3, followedVenue: 2, category: 1, keyword: 1 } as const;

export function feedScore(event: FeedCandidate, interests: Interests): number {
  let score = 0;
  if (interests.organizationIds.has(event.organizationId)) score += FEED_WEIGHTS.followedOrganization;
  if (event.venueId && interests.venueIds.has(event.venueId)) score += FEED_WEIGHTS.followedVenue;
  if (event.categories.some((c) => interests.categories.includes(c))) score += FEED_WEIGHTS.category;
  const title = event.title?.toLowerCase() ?? '';
  if (interests.keywords.some((k) => title.includes(k))) score += FEED_WEIGHTS.keyword;
  return score;
}

/** Relevant events only, best first, soonest first among equals. */
export function rankFeed<T extends FeedCandidate>(events: T[], interests: Interests, first: number): T[] {
  return events
    .map((event) => ({ event, score: feedScore(event, interests) }))
    .filter((e) => e.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.event.startsAt.getTime() - b.event.startsAt.getTime() ||
        a.event.eventId.localeCompare(b.event.eventId),
    )
    .slice(0, first)
    .map((e) => e.event);
}
