import { recordEvent, type BusEvent, type ConsumerServices, type SqlExecutor } from '@eventgraph/runtime';
import type { EventsDb, EventsTx } from './context';
import { CALENDAR_FIELDS, changedFields } from './domain/event-details';
import { announcesCancellation, type EventStatus } from './domain/event-lifecycle';
import {
  decideSourceEvent,
  parseEnded,
  parseUpserted,
  SOURCE_EVENT_TOPICS,
  type SourceAnnouncement,
  type SourceEventFields,
} from './domain/source-events';
import { EVENT_TOPICS, summaryOf, type Announce } from './event-announcements';
import { eventCacheFor } from './event-cache';
import type { Event } from './generated/prisma/client';
import { refreshMatches } from './own-event-matches';

/**
 * Layer 1 reaches the events subgraph here: ingest's approved canonical events become Event rows (origin SOURCE,
 * no organisation, owner or venue; PUBLIC), cancelled or withdrawn as ingest says. The decision is pure
 * (domain/source-events.ts); this applies it in one transaction with the event's own announcements
 * (event.created / updated / status_changed / published / cancelled), so caches, other subgraphs' projections,
 * calendar feeds and live subscribers hear of a Layer-1 event as of any other.
 */
export const projectSourceEvents = ({ db, bus, group, log }: ConsumerServices<EventsDb>) =>
  bus.consume!(group('source-events'), 'ingest.public_event.*', async (event) => {
    const applied = await applySourceAnnouncement(db, event);
    if (!applied.ok) log.warn({ topic: event.topic, eventId: event.id, problem: applied.problem }, 'Layer-1 event ignored');
  });

const KIND_OF: Record<string, SourceAnnouncement['kind']> = {
  [SOURCE_EVENT_TOPICS.upserted]: 'upserted',
  [SOURCE_EVENT_TOPICS.cancelled]: 'cancelled',
  [SOURCE_EVENT_TOPICS.withdrawn]: 'withdrawn',
};

/**
 * Applies one announcement; `{ ok: false }` for one that can never apply (a malformed payload, an id that is not a
 * Layer-1 event's): retrying would not help, so it is logged and dropped. Failures of the database throw, so the
 * bus delivers the announcement again.
 */
export async function applySourceAnnouncement(
  db: EventsDb,
  busEvent: BusEvent,
): Promise<{ ok: true; changed: boolean } | { ok: false; problem: string }> {
  const kind = KIND_OF[busEvent.topic];
  if (!kind) return { ok: false, problem: `unknown topic ${busEvent.topic}` };
  const parsed = kind === 'upserted' ? parseUpserted(busEvent.payload) : parseEnded(busEvent.payload);
  if (!parsed.ok) return parsed;
  const id = 'id' in parsed.value ? parsed.value.id : parsed.value.canonicalEventId;
  const { version } = parsed.value;
  const fields = 'fields' in parsed.value ? parsed.value.fields : undefined;

  const result = await db.$transaction(async (tx) => {
    const announce: Announce = async (topic, payload) => {
      await recordEvent(tx as unknown as SqlExecutor, 'events', topic, payload);
    };
    const stored = await tx.event.findUnique({ where: { id } });
    if (stored && stored.origin !== 'SOURCE') return { ok: false as const, problem: `event ${id} is not a Layer-1 event` };
    const tombstone = stored ? null : await tx.sourceEventTombstone.findUnique({ where: { eventId: id } });
    const decision = decideSourceEvent(
      { kind, version },
      stored && { status: stored.status as EventStatus, sourceVersion: stored.sourceVersion },
      tombstone && { version: tombstone.version, status: tombstone.status as EventStatus },
    );
    switch (decision.action) {
      case 'ignore':
        return { ok: true as const, changed: false };
      case 'remember':
        await tx.sourceEventTombstone.upsert({
          where: { eventId: id },
          create: { eventId: id, version: decision.version, status: decision.status },
          update: { version: decision.version, status: decision.status },
        });
        return { ok: true as const, changed: false };
      case 'write':
        if (stored) await updateSourceEvent(tx, announce, stored, { ...fields!, status: decision.status }, decision.version);
        else await createSourceEvent(tx, announce, id, fields!, decision.status, decision.version);
        return { ok: true as const, changed: true };
      case 'set-status':
        await updateSourceEvent(tx, announce, stored!, { status: decision.status }, decision.version);
        return { ok: true as const, changed: true };
    }
  });
  // this process's cache forgets the row at once; other replicas hear the announcements
  if (result.ok && result.changed) eventCacheFor(db).forget(id);
  return result;
}

async function createSourceEvent(
  tx: EventsTx,
  announce: Announce,
  id: string,
  fields: SourceEventFields,
  status: EventStatus,
  version: number,
): Promise<void> {
  const created = await tx.event.create({
    data: {
      id,
      ...fields,
      status,
      sourceVersion: version,
      origin: 'SOURCE',
      visibility: 'PUBLIC',
      organizationId: null,
      ownerUserId: null,
      venueId: null,
    },
  });
  await tx.sourceEventTombstone.deleteMany({ where: { eventId: id } });
  await announce(EVENT_TOPICS.created, summaryOf(created));
  if (status === 'PUBLISHED') await announce(EVENT_TOPICS.published, summaryOf(created));
  await refreshMatches(tx, announce, created);
}

type SourceChange = Partial<SourceEventFields> & { status: EventStatus };

/** Writes a newer version of a Layer-1 event and announces what changed, as updateEvent and transitionEvent do. */
async function updateSourceEvent(
  tx: EventsTx,
  announce: Announce,
  current: Event,
  change: SourceChange,
  version: number,
): Promise<void> {
  const changed = changedFields(current as Record<string, unknown>, change as Record<string, unknown>) as string[];
  const bumpsCalendar = changed.some((field) => (CALENDAR_FIELDS as readonly string[]).includes(field));
  // the version in the WHERE: of two deliveries racing, the one that read an older row writes nothing
  const { count } = await tx.event.updateMany({
    where: { id: current.id, sourceVersion: current.sourceVersion },
    data: { ...change, sourceVersion: version, ...(bumpsCalendar ? { sequence: { increment: 1 } } : {}) },
  });
  if (count !== 1) throw new Error(`Layer-1 event ${current.id} changed while it was being updated`);
  if (changed.length === 0) return;
  const updated = (await tx.event.findUnique({ where: { id: current.id } }))!;
  const summary = summaryOf(updated);
  const fieldsChanged = changed.filter((field) => field !== 'status');
  if (fieldsChanged.length) {
    await announce(EVENT_TOPICS.updated, {
      ...summary,
      changed: fieldsChanged,
      rescheduled: fieldsChanged.includes('startsAt') || fieldsChanged.includes('endsAt'),
      venueChanged: false,
    });
  }
  const from = current.status as EventStatus;
  if (updated.status !== from) {
    const statusChange = { ...summary, from };
    await announce(EVENT_TOPICS.statusChanged, statusChange);
    if (updated.status === 'PUBLISHED') await announce(EVENT_TOPICS.published, statusChange);
    if (announcesCancellation(from, updated.status as EventStatus)) await announce(EVENT_TOPICS.cancelled, statusChange);
  }
  await refreshMatches(tx, announce, updated, current);
}
