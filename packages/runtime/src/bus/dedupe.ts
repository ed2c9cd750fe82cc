import type { BusEvent } from './event';

/**
 * Remembers the most recent event ids, up to a fixed number, so a live
 * consumer can drop redeliveries (the relay publishes a row again if it
 * fails between publish and mark; JetStream only filters copies inside its
 * duplicate window). Memory is bounded: the least recently seen id goes
 * first, so a duplicate arriving after `capacity` newer events slips through.
 *
 * That is fine for idempotent-ish live effects (pushing to a subscription,
 * invalidating a cache). A durable consumer that changes state must dedupe
 * in the same database transaction as the change, so the effect and the
 * "seen" marker commit together, e.g. with a table keyed by (consumer, eventId):
 *
 *   await db.$transaction(async (tx) => {
 *     const fresh = await tx.$executeRawUnsafe(
 *       `INSERT INTO "ProcessedEvent" ("consumer", "eventId") VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`,
 *       group, event.id);
 *     if (fresh === 0) return;          // applied before: just ack
 *     await applyChange(tx, event);     // commits or rolls back with the marker
 *   });
 *
 * and prune that table past the transport's retention.
 */
export class RecentEventIds {
  private readonly ids = new Map<string, true>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError('capacity must be a positive integer');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records the id; true if it was not already known. */
  add(id: string): boolean {
    const known = this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value!);
    return !known;
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  get size(): number {
    return this.ids.size;
  }
}

/**
 * Wraps a handler so each event id runs it at most once (within the memory
 * of `seen`). An id counts as seen from the moment its handler starts, and
 * is forgotten if the handler throws, so a redelivery gets another try.
 */
export function dedupeById<A extends unknown[]>(
  handler: (event: BusEvent, ...rest: A) => void | Promise<void>,
  seen: RecentEventIds = new RecentEventIds(),
): (event: BusEvent, ...rest: A) => Promise<void> {
  return async (event, ...rest) => {
    if (!seen.add(event.id)) return;
    try {
      await handler(event, ...rest);
    } catch (err) {
      seen.delete(event.id);
      throw err;
    }
  };
}
