import { badInput, DomainError, parseId, type Announce, type Sql } from '@eventgraph/runtime';
import {
  BEST_AVAILABLE_WINDOW,
  pickBestAvailable,
  seatLine,
  type FreeSeat,
  type SeatLine,
  type SeatLineInput,
} from '../domain/seats';
import { isProblem } from '../domain/ticket-types';
import { problemError } from '../problem-error';

/**
 * An event's seats move with their holds: AVAILABLE → HELD (placed) → BOOKED (confirmed), back to AVAILABLE
 * (released, expired, cancelled). A seated type's counters on its TicketType row move in the same transaction
 * (its quantity is its seat count), and that row is updated first, so the seats of one type change under its row
 * lock, one hold after the other. Each move is still a conditional UPDATE on the seat's status, and a CHECK on
 * the table allows one state at a time, so no seat is ever held or booked twice whatever the code does.
 */

/** Seats whose status changed: one event per ticket type and transaction, the seats with their new status. */
export const SEAT_TOPIC = 'seat.status_changed';

interface MovedSeat {
  eventId: string;
  organizationId: string;
  ticketTypeId: string;
  seatId: string;
  status: string;
}

const MOVED = `e."eventId", e."organizationId", e."ticketTypeId", e."seatId", e.status::text AS status`;
/** Seats per announcement: an expiry pass may free thousands. */
const SEATS_PER_EVENT = 500;

export async function announceSeats(tx: Sql, announce: Announce, moved: readonly MovedSeat[]): Promise<void> {
  if (moved.length === 0) return;
  const typeIds = [...new Set(moved.map((m) => m.ticketTypeId))].sort();
  // visibility rides along so a public subscriber's stream drops a hidden type's seats without a read
  const types = await tx.query<{ id: string; visibility: string }>(
    `SELECT id, visibility::text AS visibility FROM "TicketType" WHERE id = ANY($1::uuid[])`,
    [typeIds],
  );
  const occurredAt = new Date().toISOString();
  for (const type of types) {
    const seats = moved.filter((m) => m.ticketTypeId === type.id);
    for (let from = 0; from < seats.length; from += SEATS_PER_EVENT)
      await announce(SEAT_TOPIC, {
        eventId: seats[0]!.eventId,
        organizationId: seats[0]!.organizationId,
        ticketTypeId: type.id,
        visibility: type.visibility,
        seats: seats.slice(from, from + SEATS_PER_EVENT).map(({ seatId, status }) => ({ seatId, status })),
        occurredAt,
      });
  }
}

/** The types among `ticketTypeIds` that sell seats (those with a seat map assigned). */
export async function seatedTypes(sql: Sql, ticketTypeIds: readonly string[]): Promise<Set<string>> {
  const rows = await sql.query<{ ticketTypeId: string }>(
    `SELECT t AS "ticketTypeId" FROM unnest($1::uuid[]) AS t WHERE EXISTS (SELECT 1 FROM "EventSeat" e WHERE e."ticketTypeId" = t)`,
    [ticketTypeIds],
  );
  return new Set(rows.map((r) => r.ticketTypeId));
}

/** A hold's lines as asked (ids parsed), each a quantity or its seats: BAD_USER_INPUT naming the field otherwise. */
export function holdLines(items: readonly SeatLineInput[]): SeatLine[] {
  return items.map((item, i) => {
    const line = seatLine(
      {
        ...item,
        ticketTypeId: parseId(`items[${i}].ticketTypeId`, item.ticketTypeId),
        seatIds: item.seatIds?.map((id, j) => parseId(`items[${i}].seatIds[${j}]`, id)),
      },
      i,
    );
    if (isProblem(line)) throw problemError(line);
    return line;
  });
}

/**
 * A hold's lines before anything is taken: a named seat is a seat of this event sold as its line's type (one
 * of another event, or of no event, is refused alike), and only types with seats are asked for seats.
 */
export async function checkSeatLines(sql: Sql, eventId: string, lines: readonly SeatLine[]): Promise<void> {
  const seated = await seatedTypes(
    sql,
    lines.map((l) => l.ticketTypeId),
  );
  const named = lines.flatMap((l) => l.seatIds ?? []);
  const found = named.length
    ? await sql.query<{ seatId: string; ticketTypeId: string }>(
        `SELECT "seatId", "ticketTypeId" FROM "EventSeat" WHERE "eventId" = $1::uuid AND "seatId" = ANY($2::uuid[])`,
        [eventId, named],
      )
    : [];
  const typeOf = new Map(found.map((f) => [f.seatId, f.ticketTypeId]));
  for (const [i, line] of lines.entries()) {
    if (!seated.has(line.ticketTypeId)) {
      if (line.seatIds) throw badInput(`items[${i}].seatIds`, 'this ticket type sells no seats: ask for a quantity');
      if (line.accessible) throw badInput(`items[${i}].accessible`, 'this ticket type sells no seats');
      continue;
    }
    for (const [j, id] of (line.seatIds ?? []).entries())
      if (typeOf.get(id) !== line.ticketTypeId)
        throw badInput(`items[${i}].seatIds[${j}]`, `${id} is not a seat of this event sold as this ticket type`);
  }
}

/**
 * Named seats a hold could not take because holds past their expiry still have them: the caller releases
 * expired holds and tries once more, else answers `refusal` (SEAT_TAKEN).
 */
export class SeatsOfExpiredHolds extends Error {
  constructor(
    readonly ticketTypeId: string,
    readonly refusal: DomainError,
  ) {
    super(refusal.message);
  }
}

export interface SeatsWanted {
  ticketTypeId: string;
  quantity: number;
  /** the very seats, or null/absent for best-available */
  seatIds?: readonly string[] | null;
  /** best-available: accessible seats only (and only then) */
  accessible?: boolean;
}

/**
 * Takes the seats of a just-placed hold inside its transaction, after its types' counters were taken (so under
 * their row locks); lines of types without seats are passed over. Named seats are taken with one conditional
 * UPDATE: any of them not AVAILABLE is SEAT_TAKEN (`seatIds`: those taken) and the transaction must roll back.
 * Best-available takes the best block (src/domain/seats.ts) of the type's best-ranked free seats. Exported for
 * every way a hold is made (a waitlist offer too).
 */
export async function takeSeatsForHold(
  tx: Sql,
  announce: Announce,
  hold: { id: string; eventId: string },
  lines: readonly SeatsWanted[],
): Promise<void> {
  const seated = await seatedTypes(
    tx,
    lines.map((l) => l.ticketTypeId),
  );
  const moved: MovedSeat[] = [];
  for (const line of lines) {
    if (!seated.has(line.ticketTypeId)) continue;
    const seatIds = line.seatIds ?? (await bestAvailable(tx, hold.eventId, line));
    const taken = await tx.query<MovedSeat>(
      `UPDATE "EventSeat" e SET status = 'HELD', "holdId" = $4::uuid
       WHERE e."eventId" = $1::uuid AND e."ticketTypeId" = $2::uuid AND e."seatId" = ANY($3::uuid[]) AND e.status = 'AVAILABLE'
       RETURNING ${MOVED}`,
      [hold.eventId, line.ticketTypeId, seatIds, hold.id],
    );
    if (taken.length < seatIds.length) await refuseTaken(tx, line.ticketTypeId, seatIds, taken);
    moved.push(...taken);
  }
  await announceSeats(tx, announce, moved);
}

async function bestAvailable(tx: Sql, eventId: string, line: SeatsWanted): Promise<string[]> {
  const free = await tx.query<FreeSeat>(
    `SELECT e."seatId", s.section, s.row, s.position, e.rank FROM "EventSeat" e JOIN "Seat" s ON s.id = e."seatId"
     WHERE e."ticketTypeId" = $1::uuid AND e.status = 'AVAILABLE' AND e.accessible = $2 AND e."eventId" = $3::uuid
     ORDER BY e.rank, e."seatId" LIMIT $4::int`,
    [line.ticketTypeId, !!line.accessible, eventId, BEST_AVAILABLE_WINDOW],
  );
  const picked = pickBestAvailable(free, line.quantity);
  if (picked) return picked;
  throw new DomainError(
    'SOLD_OUT',
    `only ${free.length} ${line.accessible ? 'accessible ' : ''}seats of this ticket type are left`,
    { ticketTypeId: line.ticketTypeId, available: free.length, accessible: !!line.accessible },
  );
}

async function refuseTaken(tx: Sql, ticketTypeId: string, asked: readonly string[], taken: readonly MovedSeat[]): Promise<never> {
  const got = new Set(taken.map((t) => t.seatId));
  const missed = asked.filter((id) => !got.has(id));
  const refusal = new DomainError('SEAT_TAKEN', `${missed.length} of the seats are held or booked already: choose others`, {
    ticketTypeId,
    seatIds: missed,
  });
  const [expired] = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "EventSeat" e JOIN "Hold" h ON h.id = e."holdId"
     WHERE e."ticketTypeId" = $1::uuid AND e."seatId" = ANY($2::uuid[]) AND e.status = 'HELD' AND h."expiresAt" <= now()`,
    [ticketTypeId, missed],
  );
  throw (expired?.n ?? 0) > 0 ? new SeatsOfExpiredHolds(ticketTypeId, refusal) : refusal;
}

/** Released, expired or cancelled: the holds' seats (HELD, or BOOKED for a cancelled booking) are AVAILABLE again. */
export async function freeSeatsOfHolds(
  tx: Sql,
  announce: Announce,
  holdIds: readonly string[],
  from: 'HELD' | 'BOOKED' = 'HELD',
): Promise<void> {
  if (holdIds.length === 0) return;
  const moved = await tx.query<MovedSeat>(
    `UPDATE "EventSeat" e SET status = 'AVAILABLE', "holdId" = NULL, "ticketId" = NULL
     WHERE e."holdId" = ANY($1::uuid[]) AND e.status = $2::"SeatStatus" RETURNING ${MOVED}`,
    [holdIds, from],
  );
  await announceSeats(tx, announce, moved);
}

/** A confirmed hold's seats are BOOKED, each on one of the booking's tickets of its type. */
export async function bookSeatsOfHold(tx: Sql, announce: Announce, holdId: string, bookingId: string): Promise<void> {
  const moved = await tx.query<MovedSeat>(
    `WITH s AS (SELECT "eventId", "seatId", "ticketTypeId",
                       row_number() OVER (PARTITION BY "ticketTypeId" ORDER BY rank, "seatId") AS n
                FROM "EventSeat" WHERE "holdId" = $1::uuid AND status = 'HELD'),
          t AS (SELECT id, "ticketTypeId", row_number() OVER (PARTITION BY "ticketTypeId" ORDER BY id) AS n
                FROM "Ticket" WHERE "bookingId" = $2::uuid)
     UPDATE "EventSeat" e SET status = 'BOOKED', "ticketId" = t.id
     FROM s JOIN t ON t."ticketTypeId" = s."ticketTypeId" AND t.n = s.n
     WHERE e."eventId" = s."eventId" AND e."seatId" = s."seatId" RETURNING ${MOVED}`,
    [holdId, bookingId],
  );
  await announceSeats(tx, announce, moved);
}
