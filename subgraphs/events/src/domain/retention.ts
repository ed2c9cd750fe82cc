import { retentionDays } from '@eventgraph/runtime';

/**
 * Retention rules of the events subgraph (issue 15):
 * - an event's organiser contact (name, e-mail address, phone number) is for attendees' questions: it is blanked
 *   EVENTS_RETENTION_CONTACT_DAYS (default 183, about six months) after the event ended, whatever its visibility.
 *   The event itself stays as it was.
 */
export interface EventsRetention {
  contactDays: number;
}

export function eventsRetention(env: Record<string, string | undefined> = process.env): EventsRetention {
  return { contactDays: retentionDays(env, 'EVENTS_RETENTION_CONTACT_DAYS', 183) };
}
