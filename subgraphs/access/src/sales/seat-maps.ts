import { randomUUID } from 'node:crypto';
import {
  can,
  conflict,
  DomainError,
  isTransactionConflict,
  parseId,
  requireAuthenticated,
  requirePermission,
  type Sql,
} from '@eventgraph/runtime';
import type { AccessContext } from '../context';
import { checkSeatAssignment, normalizeSeatMap, type SeatRowInput } from '../domain/seats';
import { inventoryProblem, isProblem } from '../domain/ticket-types';
import type { SeatMap } from '../generated/prisma/client';
import { eventToChange } from '../known-events';
import { problemError } from '../problem-error';
import { announceAvailability } from './inventory';

/**
 * Seat maps are venues' layouts, made by the venue's organisation (`sales.manage`) with all their seats at once,
 * and never changed after (a new layout is a new map). Assigning one to an event puts each of its seats on sale
 * under the event's ticket type of its category: the type's quantity becomes its seat count, so its counters,
 * the venue-capacity check and live availability work for seats as for any other ticket.
 */

/** A seat map to the organisation of its venue (`organization.read`); NOT_FOUND to anyone else, like a missing one. */
export async function readableSeatMap(ctx: AccessContext, id: string): Promise<SeatMap | null> {
  const map = await ctx.db.seatMap.findUnique({ where: { id } });
  return map && can(ctx.principal, 'organization.read', map.organizationId) ? map : null;
}

export async function createSeatMap(
  ctx: AccessContext,
  input: { venueId: string; name: string; rows: SeatRowInput[] },
): Promise<SeatMap> {
  requireAuthenticated(ctx.principal);
  const venueId = parseId('venueId', input.venueId);
  const venue = await ctx.db.knownVenue.findUnique({ where: { venueId } });
  if (!venue || !can(ctx.principal, 'organization.read', venue.organizationId))
    throw new DomainError('NOT_FOUND', `venue ${venueId} was not found`, { field: 'venueId' });
  requirePermission(ctx.principal, 'sales.manage', venue.organizationId);
  const map = normalizeSeatMap(input);
  if (isProblem(map)) throw problemError(map);
  if (await ctx.db.seatMap.findUnique({ where: { venueId_name: { venueId, name: map.name } } }))
    throw conflict(`name: the venue has a seat map named ${map.name} already`, { field: 'name' });
  return ctx.transactSql(async (tx) => {
    const [created] = await tx.query<SeatMap>(
      `INSERT INTO "SeatMap" (id, "organizationId", "venueId", name) VALUES ($1::uuid, $2::uuid, $3::uuid, $4) RETURNING *`,
      [randomUUID(), venue.organizationId, venueId, map.name],
    );
    const column = <K extends keyof (typeof map.seats)[number]>(key: K) => map.seats.map((s) => s[key]);
    await tx.execute(
      `INSERT INTO "Seat" (id, "seatMapId", section, row, number, position, accessible, category, rank)
       SELECT gen_random_uuid(), $1::uuid, s, r, n, p, a, c, k
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::boolean[], $7::text[], $8::int[]) AS x(s, r, n, p, a, c, k)`,
      [
        created!.id,
        column('section'),
        column('row'),
        column('number'),
        column('position'),
        column('accessible'),
        column('category'),
        column('rank'),
      ],
    );
    return created!;
  });
}

export interface SeatAssignmentInput {
  eventId: string;
  seatMapId: string;
  ticketTypes: Array<{ category: string; ticketTypeId: string }>;
}

const MAX_ATTEMPTS = 4;

/**
 * Puts a seat map's seats on sale for an event (its organisation's, `sales.manage`): the map must be of the event's
 * venue (SEAT_MAP_OF_OTHER_VENUE), every category named under a ticket type of the event with nothing sold or held,
 * once per event (CONFLICT), and the event's types together within the venue's capacity (INVENTORY_OVER_CAPACITY).
 * The event's KnownEvent row is locked first, as creating a ticket type does, so the capacity check holds.
 */
export async function assignSeatMap(ctx: AccessContext, input: SeatAssignmentInput): Promise<{ id: string }> {
  const event = await eventToChange(ctx.db, ctx.principal, parseId('eventId', input.eventId), 'sales.manage');
  const seatMapId = parseId('seatMapId', input.seatMapId);
  const map = await readableSeatMap(ctx, seatMapId);
  if (!map || map.organizationId !== event.organizationId)
    throw new DomainError('NOT_FOUND', `seat map ${seatMapId} was not found`, { field: 'seatMapId' });
  if (map.venueId !== event.venueId)
    throw new DomainError('SEAT_MAP_OF_OTHER_VENUE', `seat map ${map.name} is a layout of another venue than the event's`, {
      field: 'seatMapId',
    });
  const assignments = input.ticketTypes.map((a, i) => ({
    category: a.category.trim().toUpperCase(),
    ticketTypeId: parseId(`ticketTypes[${i}].ticketTypeId`, a.ticketTypeId),
  }));
  const categories = await ctx.sql.query<{ category: string; seats: number }>(
    `SELECT category, count(*)::int AS seats FROM "Seat" WHERE "seatMapId" = $1::uuid GROUP BY category ORDER BY category`,
    [seatMapId],
  );
  const problem = checkSeatAssignment(
    categories.map((c) => c.category),
    assignments,
  );
  if (problem) throw problemError(problem);
  const seatsOf = new Map<string, number>();
  for (const a of assignments)
    seatsOf.set(a.ticketTypeId, (seatsOf.get(a.ticketTypeId) ?? 0) + categories.find((c) => c.category === a.category)!.seats);
  const typeIds = [...seatsOf.keys()].sort();

  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.transactSql(async (tx, announce) => {
        await tx.query(`SELECT 1 FROM "KnownEvent" WHERE "eventId" = $1::uuid FOR UPDATE`, [event.eventId]);
        if ((await tx.query(`SELECT 1 FROM "EventSeat" WHERE "eventId" = $1::uuid LIMIT 1`, [event.eventId])).length > 0)
          throw conflict('eventId: the event has a seat map already', { field: 'eventId' });
        await checkTypes(tx, event.eventId, assignments);
        await checkCapacity(
          tx,
          event.eventId,
          event.venueId,
          typeIds,
          [...seatsOf.values()].reduce((a, b) => a + b, 0),
        );
        await tx.execute(
          `UPDATE "TicketType" t SET quantity = x.q, "updatedAt" = now() FROM unnest($1::uuid[], $2::int[]) AS x(id, q) WHERE t.id = x.id`,
          [typeIds, typeIds.map((id) => seatsOf.get(id)!)],
        );
        await tx.execute(
          `INSERT INTO "EventSeat" ("eventId", "seatId", "organizationId", "ticketTypeId", rank, accessible)
           SELECT $1::uuid, s.id, $2::uuid, x.t, s.rank, s.accessible
           FROM "Seat" s JOIN unnest($4::text[], $5::uuid[]) AS x(c, t) ON x.c = s.category WHERE s."seatMapId" = $3::uuid`,
          [
            event.eventId,
            event.organizationId,
            seatMapId,
            assignments.map((a) => a.category),
            assignments.map((a) => a.ticketTypeId),
          ],
        );
        await announceAvailability(tx, announce, typeIds);
        return { id: event.eventId };
      });
    } catch (err) {
      if (isTransactionConflict(err) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** The types named: the event's own, locked (holds wait), with nothing sold or held yet. */
async function checkTypes(tx: Sql, eventId: string, assignments: ReadonlyArray<{ ticketTypeId: string }>) {
  const rows = await tx.query<{ id: string; eventId: string; sold: number; held: number; name: string }>(
    `SELECT id, "eventId", sold, held, name FROM "TicketType" WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [assignments.map((a) => a.ticketTypeId)],
  );
  for (const [i, a] of assignments.entries()) {
    const type = rows.find((r) => r.id === a.ticketTypeId);
    const field = `ticketTypes[${i}].ticketTypeId`;
    if (!type || type.eventId !== eventId) throw notFoundIn(field, a.ticketTypeId);
    if (type.sold + type.held > 0)
      throw new DomainError('BAD_USER_INPUT', `${field}: ${type.name} has tickets sold or held: seats sell under a new type`, {
        field,
      });
  }
}

const notFoundIn = (field: string, id: string) => new DomainError('NOT_FOUND', `ticket type ${id} was not found`, { field });

/** The event's other types and the seats together fit the venue (a capacity of 0, or an unknown venue, bounds nothing). */
async function checkCapacity(tx: Sql, eventId: string, venueId: string | null, seatedTypeIds: string[], seats: number) {
  const [others] = await tx.query<{ quantity: number }>(
    `SELECT coalesce(sum(quantity), 0)::int AS quantity FROM "TicketType" WHERE "eventId" = $1::uuid AND NOT (id = ANY($2::uuid[]))`,
    [eventId, seatedTypeIds],
  );
  const [venue] = venueId
    ? await tx.query<{ maxCapacity: number }>(`SELECT "maxCapacity" FROM "KnownVenue" WHERE "venueId" = $1::uuid`, [venueId])
    : [];
  const problem = inventoryProblem(venue?.maxCapacity ?? null, (others?.quantity ?? 0) + seats);
  if (problem)
    throw problemError({ ...problem, field: 'seatMapId', message: problem.message.replace(/^quantity: /, 'seatMapId: ') });
}

/** A seated type sells exactly its seats: its quantity follows its seat map, never an update (null: not seated). */
export async function seatedQuantityProblem(sql: Sql, ticketTypeId: string, quantity: number): Promise<DomainError | null> {
  const [row] = await sql.query<{ seats: number }>(
    `SELECT count(*)::int AS seats FROM "EventSeat" WHERE "ticketTypeId" = $1::uuid`,
    [ticketTypeId],
  );
  const seats = row?.seats ?? 0;
  if (seats === 0 || seats === quantity) return null;
  return new DomainError(
    'BAD_USER_INPUT',
    `quantity: a seated ticket type sells its ${seats} seats: its quantity stays ${seats}`,
    {
      field: 'quantity',
    },
  );
}
