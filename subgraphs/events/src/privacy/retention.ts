import {
  executorOf,
  recordEvent,
  retentionCutoff,
  retentionRunner,
  type RetentionPolicy,
  type SqlTransaction,
} from '@eventgraph/runtime';
import { CONTACT_COLUMNS } from '../domain/organizer-contact';
import { eventsRetention, type EventsRetention } from '../domain/retention';
import { EVENT_TOPICS, summaryOf } from '../event-announcements';
import type { Event } from '../generated/prisma/client';

/** What summaryOf reads of an event. */
type Summarised = Pick<
  Event,
  | 'id'
  | 'organizationId'
  | 'ownerUserId'
  | 'origin'
  | 'status'
  | 'visibility'
  | 'title'
  | 'venueId'
  | 'startsAt'
  | 'categories'
  | 'tags'
  | 'latitude'
  | 'longitude'
  | 'priceMin'
  | 'priceMax'
  | 'currency'
>;
const SUMMARY_COLUMNS = `id::text, "organizationId"::text, "ownerUserId"::text, origin::text, status::text,
  visibility::text, title, "venueId"::text, "startsAt", categories, tags, latitude, longitude, "priceMin", "priceMax", currency`;

/**
 * Ended events still carrying an organiser contact, blanked in one statement; locked rows are left to the replica
 * that holds them (the partial index of migration organizer_contact serves the search). The updatedAt moves, so
 * an updateEvent that read the event before loses (CONFLICT) rather than writing the contact back unseen.
 */
const BLANK_CONTACTS = `
  UPDATE "Event" SET "contactName" = NULL, "contactEmail" = NULL, "contactPhone" = NULL, "updatedAt" = now()
  WHERE id IN (
    SELECT id FROM "Event"
    WHERE ("contactName" IS NOT NULL OR "contactEmail" IS NOT NULL OR "contactPhone" IS NOT NULL) AND "endsAt" < $1
    ORDER BY "endsAt" LIMIT $2 FOR UPDATE SKIP LOCKED)
  RETURNING ${SUMMARY_COLUMNS}`;

/** The events subgraph's retention policies (rules in domain/retention.ts), one bounded statement per batch. */
export function eventsRetentionPolicies(rules: EventsRetention = eventsRetention()): RetentionPolicy[] {
  return [
    {
      name: 'events.organizer-contacts',
      batch: (sql, limit, now) =>
        sql.transaction(async (tx) => {
          const blanked = await tx.query<Summarised>(BLANK_CONTACTS, [retentionCutoff(now, rules.contactDays), limit]);
          for (const event of blanked) await announceBlanked(tx, event);
          return { anonymised: blanked.length };
        }),
    },
  ];
}

/**
 * Announced like any change of the event, in the same transaction (outbox): every replica's event cache forgets
 * the row, and partners' webhooks hear the contact is gone. The summary's own fields did not change.
 */
async function announceBlanked(tx: SqlTransaction, event: Summarised): Promise<void> {
  const replaces = event.ownerUserId
    ? (
        await tx.query<{ publicEventId: string }>(
          `SELECT "publicEventId"::text AS "publicEventId" FROM "OwnEventMatch" WHERE "ownEventId" = $1::uuid`,
          [event.id],
        )
      )
        .map((m) => m.publicEventId)
        .sort()
    : undefined;
  await recordEvent(executorOf(tx), 'events', EVENT_TOPICS.updated, {
    ...summaryOf({ ...event, startsAt: new Date(event.startsAt) } as Event, replaces),
    changed: [...CONTACT_COLUMNS],
    rescheduled: false,
    venueChanged: false,
  });
}

export const runEventsRetention = (services: Parameters<ReturnType<typeof retentionRunner>>[0]) =>
  retentionRunner('events', eventsRetentionPolicies())(services);
