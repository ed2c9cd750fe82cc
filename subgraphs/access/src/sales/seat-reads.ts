import DataLoader from 'dataloader';
import { decodeCursor, encodeCursor, pageOf, pageSize, type Sql } from '@eventgraph/runtime';

/** An event's seat as read: where it is and its status now (a seat in an expired hold is AVAILABLE, as it is to a new hold). */
export interface EventSeatView {
  eventId: string;
  seatId: string;
  organizationId: string;
  ticketTypeId: string;
  status: 'AVAILABLE' | 'HELD' | 'BOOKED';
  section: string;
  row: string;
  number: string;
  accessible: boolean;
  category: string;
  rank: number;
  holdId: string | null;
  ticketId: string | null;
}

const VIEW = `
  SELECT e."eventId", e."seatId", e."organizationId", e."ticketTypeId", e.rank, e."holdId", e."ticketId",
         (CASE WHEN e.status = 'HELD' AND h."expiresAt" <= now() THEN 'AVAILABLE' ELSE e.status::text END) AS status,
         s.section, s.row, s.number, s.accessible, s.category
  FROM "EventSeat" e JOIN "Seat" s ON s.id = e."seatId"
  LEFT JOIN "Hold" h ON h.id = e."holdId" AND e.status = 'HELD'`;

/** Per-request loaders of seats: a ticket's seat, a hold's seats. */
export function seatLoaders(sql: Sql) {
  return {
    seatOfTicket: new DataLoader<string, EventSeatView | null>(async (ids) => {
      const rows = await sql.query<EventSeatView>(`${VIEW} WHERE e."ticketId" = ANY($1::uuid[])`, [ids]);
      return ids.map((id) => rows.find((r) => r.ticketId === id) ?? null);
    }),
    seatsOfHold: new DataLoader<string, EventSeatView[]>(async (ids) => {
      const rows = await sql.query<EventSeatView>(`${VIEW} WHERE e."holdId" = ANY($1::uuid[]) ORDER BY e.rank, e."seatId"`, [
        ids,
      ]);
      return ids.map((id) => rows.filter((r) => r.holdId === id));
    }),
  };
}

/** Some of an event's seats as they are now (a live change, read when delivered). */
export const seatsNow = (sql: Sql, eventId: string, seatIds: readonly string[]) =>
  sql.query<EventSeatView>(`${VIEW} WHERE e."eventId" = $1::uuid AND e."seatId" = ANY($2::uuid[]) ORDER BY e.rank, e."seatId"`, [
    eventId,
    seatIds,
  ]);

export interface SeatFilter {
  eventId: string;
  /** the types whose seats the caller may see */
  ticketTypeIds: readonly string[];
  section?: string | null;
  status?: string | null;
}

const FILTERED = `WITH v AS (${VIEW} WHERE e."eventId" = $1::uuid AND e."ticketTypeId" = ANY($2::uuid[]) AND ($3::text IS NULL OR s.section = $3))`;

/** A page of an event's seats, best-ranked first, keyed by (rank, seat id). */
export async function seatPage(sql: Sql, filter: SeatFilter, args: { first?: number | null; after?: string | null }) {
  const first = pageSize(args.first);
  const after = args.after != null ? decodeCursor(args.after, 'number', 'seats') : null;
  const params = [filter.eventId, filter.ticketTypeIds, filter.section ?? null, filter.status ?? null];
  const rows = await sql.query<EventSeatView>(
    `${FILTERED} SELECT * FROM v WHERE ($4::text IS NULL OR status = $4)
       AND ($5::int IS NULL OR (rank, "seatId") > ($5::int, $6::uuid)) ORDER BY rank, "seatId" LIMIT $7::int`,
    [...params, after?.key ?? null, after?.id ?? null, first + 1],
  );
  return pageOf(rows, first, {
    after: args.after,
    cursorOf: (seat) => encodeCursor(seat.rank, seat.seatId, 'seats'),
    count: async () =>
      (
        await sql.query<{ n: number }>(
          `${FILTERED} SELECT count(*)::int AS n FROM v WHERE ($4::text IS NULL OR status = $4)`,
          params,
        )
      )[0]!.n,
  });
}
