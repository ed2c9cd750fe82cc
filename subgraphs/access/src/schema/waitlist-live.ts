import { clearLoaders, liveEvents, type BusEvent } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { AccessContext, AccessDb } from '../context';
import { LIVE_STATUSES } from '../domain/waitlist';
import { ownsSale } from '../domain/sales-channel';
import { buyerOf } from '../sales/buyer';
import { buyerKey } from '../sales/waitlist';
import { WAITLIST_TOPIC } from '../sales/waitlist-offers';
import { WaitlistEntryRef, type ShownWaitlistEntry } from './waitlist-entry';

/** A type's line as one change left it: each buyer's entry there (live, or just ended), with its place. */
type LineReading = Map<string, ShownWaitlistEntry>;

// per process, each type's newest reading: a change of a long line is read once, not once per buyer in it
const latest = new WeakMap<AccessDb, Map<string, { busEventId: string; reading: Promise<LineReading> }>>();

function readingAfter(ctx: AccessContext, event: BusEvent): Promise<LineReading> {
  const ticketTypeId = event.payload.ticketTypeId as string;
  let readings = latest.get(ctx.db);
  if (!readings) latest.set(ctx.db, (readings = new Map()));
  const known = readings.get(ticketTypeId);
  if (known?.busEventId === event.id) return known.reading;
  const reading = (async () => {
    // the line as it is now (read after the change committed), plus the entries this change ended
    const rows = await ctx.sql.query<ShownWaitlistEntry & { live: boolean }>(
      `SELECT w.*, h."expiresAt" AS "offerExpiresAt", w.status = ANY($3::"WaitlistStatus"[]) AS live,
              (row_number() OVER (PARTITION BY w.status = ANY($3::"WaitlistStatus"[]) ORDER BY w.line) - 1)::int AS ahead
       FROM "WaitlistEntry" w LEFT JOIN "Hold" h ON h.id = w."holdId"
       WHERE w."ticketTypeId" = $1::uuid AND (w.status = ANY($3::"WaitlistStatus"[]) OR w.id = ANY($2::uuid[]))`,
      [ticketTypeId, (event.payload.entryIds as string[] | undefined) ?? [], LIVE_STATUSES],
    );
    const byBuyer: LineReading = new Map();
    for (const { live, ...row } of rows) {
      const entry = { ...row, ahead: live ? row.ahead : null };
      // a buyer's live entry wins over one of theirs that this change ended (a rejoin after it)
      if (live || !byBuyer.has(buyerKey(entry))) byBuyer.set(buyerKey(entry), entry);
    }
    return byBuyer;
  })();
  readings.set(ticketTypeId, { busEventId: event.id, reading });
  return reading;
}

/**
 * The caller's entry from each change of a line they are in, when what they see of it changed (status, place,
 * offer). Written by hand, not as an async generator, so that ending the subscription ends the bus stream at
 * once even while it waits for the next event.
 */
function ownEntries(ctx: AccessContext, source: AsyncIterableIterator<BusEvent>): AsyncIterableIterator<ShownWaitlistEntry> {
  const buyer = buyerOf(ctx.principal);
  const me = buyerKey(buyer);
  const shown = new Map<string, string>();
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return { value: undefined, done: true };
        const entry = (await readingAfter(ctx, result.value)).get(me);
        // acting for a user, the app follows only the places it took for them
        if (!entry || !ownsSale(buyer, entry)) continue;
        const seen = `${entry.status}|${entry.ahead}|${entry.holdId}`;
        if (shown.get(entry.id) === seen) continue;
        shown.set(entry.id, seen);
        return { value: entry, done: false };
      }
    },
    return: async () => {
      await source.return!();
      return { value: undefined, done: true };
    },
    throw: (err: unknown) => source.throw!(err) as never,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionFields((t) => ({
  myWaitlistEntryChanged: t.field({
    type: WaitlistEntryRef,
    description:
      'The caller’s own waitlist entries as they change: their place in line as others ahead leave or are offered tickets, the offer when it comes (status OFFERED, offer, offerExpiresAt), and its end (BOOKED, EXPIRED, LEFT). Only the caller’s entries, never anyone else’s (a partner app acting for a user: those it joined for them).',
    subscribe: (_root, _args, ctx) => {
      buyerOf(ctx.principal); // devices and anonymous callers are in no line
      // every line change reaches each process once; a buyer's stream passes on their own entry only
      return ownEntries(ctx, liveEvents(ctx.bus, WAITLIST_TOPIC));
    },
    resolve: (entry, _args, ctx) => {
      clearLoaders(ctx.loaders); // the subscription's context outlives each delivery: its offer and type are read anew
      return entry;
    },
  }),
}));
