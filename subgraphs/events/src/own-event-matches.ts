import { replacement, type MatchableEvent } from './domain/own-events';
import { EVENT_TOPICS, summaryOf, type Announce } from './event-announcements';
import type { EventsTx } from './context';
import type { Event } from './generated/prisma/client';

/** how many events around one are compared with it at most (candidates overlap it in time) */
const CANDIDATES = 500;

const overlapping = (e: Pick<Event, 'startsAt' | 'endsAt'>) => ({ startsAt: { lt: e.endsAt }, endsAt: { gt: e.startsAt } });

/**
 * Recomputes which events the user event `own` stands in for (domain/own-events.ts `replacement`) and returns
 * their ids. Runs in the transaction that wrote `own`.
 */
export async function refreshOwnEvent(tx: EventsTx, own: Event): Promise<string[]> {
  if (!own.ownerUserId) return [];
  const candidates =
    own.status === 'ARCHIVED'
      ? []
      : await tx.event.findMany({
          where: {
            OR: [
              ...(own.basedOnEventId ? [{ id: own.basedOnEventId }] : []),
              // organisations' and sources' events (never another user's)
              { ownerUserId: null, status: { not: 'ARCHIVED' }, ...overlapping(own) },
            ],
          },
          take: CANDIDATES,
        });
  const matches = candidates.flatMap((other) => {
    const kind = replacement(own as MatchableEvent, other as MatchableEvent);
    return kind
      ? [{ ownEventId: own.id, publicEventId: other.id, ownerUserId: own.ownerUserId!, explicit: kind === 'explicit' }]
      : [];
  });
  await tx.ownEventMatch.deleteMany({ where: { ownEventId: own.id } });
  if (matches.length) await tx.ownEventMatch.createMany({ data: matches });
  return matches.map((m) => m.publicEventId).sort();
}

/**
 * After an organisation's event changed (`event`, formerly `before`), the user events around it that now
 * stand in for it, or no longer do. Returns those user events with their new replaced ids, for announcing.
 */
export async function refreshAround(tx: EventsTx, event: Event, before?: Event): Promise<{ own: Event; replaces: string[] }[]> {
  if (event.ownerUserId) return [];
  const [owns, existing] = await Promise.all([
    tx.event.findMany({
      where: {
        ownerUserId: { not: null },
        status: { not: 'ARCHIVED' },
        OR: [overlapping(event), ...(before ? [overlapping(before)] : [])],
      },
      take: CANDIDATES,
    }),
    tx.ownEventMatch.findMany({ where: { publicEventId: event.id } }),
  ]);
  const changed: Event[] = [];
  for (const own of owns) {
    const kind = replacement(own as MatchableEvent, event as MatchableEvent);
    const row = existing.find((m) => m.ownEventId === own.id);
    if (kind && !row) {
      await tx.ownEventMatch.create({
        data: { ownEventId: own.id, publicEventId: event.id, ownerUserId: own.ownerUserId!, explicit: kind === 'explicit' },
      });
      changed.push(own);
    } else if (!kind && row && !row.explicit) {
      await tx.ownEventMatch.delete({ where: { ownEventId_publicEventId: { ownEventId: own.id, publicEventId: event.id } } });
      changed.push(own);
    }
  }
  if (changed.length === 0) return [];
  const rows = await tx.ownEventMatch.findMany({ where: { ownEventId: { in: changed.map((o) => o.id) } } });
  return changed.map((own) => ({
    own,
    replaces: rows
      .filter((r) => r.ownEventId === own.id)
      .map((r) => r.publicEventId)
      .sort(),
  }));
}

/**
 * After `event` was written in `tx`: recomputes which events users' own events stand in for, and announces
 * the user events whose set changed (event.updated, changed: ["replaces"]). Returns `event`'s own set.
 */
export async function refreshMatches(
  tx: EventsTx,
  announce: Announce,
  event: Event,
  before?: Event,
): Promise<string[] | undefined> {
  if (event.ownerUserId) return refreshOwnEvent(tx, event);
  for (const { own, replaces } of await refreshAround(tx, event, before))
    await announce(EVENT_TOPICS.updated, {
      ...summaryOf(own, replaces),
      changed: ['replaces'],
      rescheduled: false,
      venueChanged: false,
    });
  return undefined;
}
