import type { ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';

/**
 * RSVP counts of an event, as the users subgraph reports them on `rsvp.changed` ({ eventId, going, interested }:
 * the current totals). Setting totals (rather than adding deltas) makes a redelivered event harmless; the
 * Event trigger recomputes `popularity` from them.
 */
export const projectRsvpCounts = ({ db, bus, group }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('rsvp-counts'), 'rsvp.changed', async (event) => {
    const { eventId, going, interested } = event.payload as { eventId?: string; going?: number; interested?: number };
    if (typeof eventId !== 'string') return;
    const count = (n: unknown) => (Number.isInteger(n) && (n as number) >= 0 ? (n as number) : undefined);
    const data = { goingCount: count(going), interestedCount: count(interested) };
    if (data.goingCount === undefined && data.interestedCount === undefined) return;
    await db.event.updateMany({ where: { id: eventId }, data });
  });
