import { consumeUserDeletions, recordEvent, type ErasureCounts, type SqlExecutor, type UserDeletion } from '@eventgraph/runtime';
import type { EventsDb, EventsTx } from '../context';
import { ANONYMISED_OWN_EVENT, ownEventErasure } from '../domain/privacy';
import { EVENT_TOPICS } from '../event-announcements';
import { reaggregateVenues } from '../report-aggregates';

/** Erases what events holds about a deleted user (see domain/privacy.ts), in the consumer's transaction. */
export async function eraseUser(tx: EventsTx, { userId }: UserDeletion): Promise<ErasureCounts> {
  const erased: ErasureCounts = { ownEventsDeleted: 0, ownEventsAnonymised: 0 };
  const own = await tx.event.findMany({ where: { ownerUserId: userId }, select: { id: true, status: true } });
  for (const event of own) {
    const dependents = await tx.eventDependent.findMany({ where: { eventId: event.id } });
    if (ownEventErasure(dependents) === 'ANONYMISE') {
      await tx.event.update({ where: { id: event.id }, data: ANONYMISED_OWN_EVENT });
      erased.ownEventsAnonymised! += 1;
      continue;
    }
    await tx.event.delete({ where: { id: event.id } });
    // the other subgraphs' projections forget it as after deleteEvent
    await recordEvent(tx as unknown as SqlExecutor, 'events', EVENT_TOPICS.deleted, {
      eventId: event.id,
      organizationId: null,
      ownerUserId: userId,
      status: event.status,
    });
    erased.ownEventsDeleted! += 1;
  }
  erased.savedSearches = (await tx.savedSearch.deleteMany({ where: { userId } })).count;
  erased.calendarFeedTokens = (await tx.calendarFeedToken.deleteMany({ where: { userId } })).count;
  await tx.venueReportSlot.deleteMany({ where: { userId } });
  const reported = await tx.venueStatusReport.findMany({ where: { userId }, select: { venueId: true }, distinct: ['venueId'] });
  erased.venueStatusReports = (await tx.venueStatusReport.deleteMany({ where: { userId } })).count;
  // what the others' reports make together without theirs
  await reaggregateVenues(tx, reported.map((r) => r.venueId).sort());
  erased.follows = (await tx.userFollow.deleteMany({ where: { OR: [{ followerId: userId }, { followeeId: userId }] } })).count;
  await tx.userFollowVersion.deleteMany({ where: { OR: [{ followerId: userId }, { followeeId: userId }] } });
  return erased;
}

export const eraseDeletedUsers = consumeUserDeletions<EventsDb, EventsTx>('events', eraseUser);
