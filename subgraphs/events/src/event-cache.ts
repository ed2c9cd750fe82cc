import type { BusEvent, ConsumerServices } from '@eventgraph/runtime';
import type { EventsDb } from './context';
import type { Event } from './generated/prisma/client';

const TTL_MS = 5 * 60_000;
const CAPACITY = 10_000;

/**
 * Hot event rows, shared by the requests of one subgraph process. An entry is
 * forgotten the moment a change to its event commits here (afterCommit, before
 * the mutation answers) and when another replica announces one on the bus.
 * A read that raced a change is not kept (the epoch moved while it ran).
 */
export class EventCache {
  private readonly entries = new Map<string, { event: Event; until: number }>();
  private epoch = 0;

  async loadMany(ids: readonly string[], fetch: (ids: string[]) => Promise<Event[]>): Promise<Event[]> {
    const now = Date.now();
    const found: Event[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry && entry.until > now) found.push(entry.event);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const startedAt = this.epoch;
    const loaded = await fetch(missing);
    if (this.epoch === startedAt) {
      if (this.entries.size + loaded.length > CAPACITY) this.entries.clear();
      for (const event of loaded) this.entries.set(event.id, { event, until: now + TTL_MS });
    }
    return [...found, ...loaded];
  }

  forget(eventId: unknown): void {
    this.epoch++;
    if (typeof eventId === 'string') this.entries.delete(eventId);
  }

  get size(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<object, EventCache>();

/** One cache per database client: two subgraph instances in one process never share rows. */
export function eventCacheFor(db: object): EventCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new EventCache()));
  return cache;
}

export function forgetChangedEvents(events: BusEvent[], { db }: { db: EventsDb }): void {
  const cache = eventCacheFor(db);
  for (const event of events) if (event.topic.startsWith('event.')) cache.forget(event.payload.eventId);
}

/** Changes committed by other replicas reach this one's cache through the bus. */
export const forgetEventsChangedElsewhere = ({ db, bus }: ConsumerServices<EventsDb>) =>
  bus.subscribe('event.*', (event) => eventCacheFor(db).forget(event.payload.eventId));
