import type { EventsDb } from '../context';

/**
 * What events holds about a person, for their data export: their own events (with the organiser contact they
 * gave), saved searches, calendar feed tokens (which organisation, when: never the secret), venue status reports
 * and the users they follow.
 */
export async function eventsPartOfExport(db: EventsDb, userId: string): Promise<Record<string, unknown>> {
  const [ownEvents, savedSearches, calendarFeeds, venueReports, follows] = await Promise.all([
    db.event.findMany({
      where: { ownerUserId: userId },
      select: {
        id: true,
        title: true,
        slug: true,
        startsAt: true,
        endsAt: true,
        timeZone: true,
        locationName: true,
        venueId: true,
        basedOnEventId: true,
        status: true,
        visibility: true,
        description: true,
        categories: true,
        tags: true,
        imageUrls: true,
        externalUrl: true,
        contactName: true,
        contactEmail: true,
        contactPhone: true,
        latitude: true,
        longitude: true,
        createdAt: true,
        updatedAt: true,
      },
      orderBy: { createdAt: 'asc' },
    }),
    db.savedSearch.findMany({ where: { userId }, select: { id: true, name: true, filter: true, createdAt: true } }),
    db.calendarFeedToken.findMany({ where: { userId }, select: { id: true, organizationId: true, createdAt: true } }),
    db.venueStatusReport.findMany({
      where: { userId },
      select: { id: true, venueId: true, open: true, crowdLevel: true, waitMinutes: true, createdAt: true },
      orderBy: { createdAt: 'asc' },
    }),
    db.userFollow.findMany({ where: { followerId: userId }, select: { followeeId: true } }),
  ]);
  return { ownEvents, savedSearches, calendarFeeds, venueReports, followsUsers: follows.map((f) => f.followeeId) };
}
