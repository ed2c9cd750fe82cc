import { checkCategory, normalizeCategory, type Problem } from './series-rules';

/**
 * Seats: what a seat map may hold, what a hold line may ask of seats, and which seats best-available gives.
 * Pure: which seats are free is decided by the database (src/sales/seats.ts).
 */
export const MAX_SEATS_PER_MAP = 20_000;
export const MAX_SEATS_PER_ROW = 1_000;
/** A row's rank is at most this: its seats' ranks stay within an int. */
export const MAX_ROW_RANK = 100_000;
/** Seat ranks of one row lie within ROW_SPAN of each other, so any seat of a better row ranks before every worse one. */
const ROW_SPAN = 10_000;
/** Seats best-available weighs for one hold (the best-ranked free ones): enough to find a row together. */
export const BEST_AVAILABLE_WINDOW = 2_000;

export interface SeatRowInput {
  section: string;
  row: string;
  /** the seats' numbers, in order along the row: neighbours here are neighbours in the hall */
  numbers: string[];
  category: string;
  /** numbers of this row that are accessible (wheelchair places, …) */
  accessible?: string[] | null;
  /** lower sells first (best-available); default: the row's place in the list */
  rank?: number | null;
}

export interface NewSeat {
  section: string;
  row: string;
  number: string;
  position: number;
  accessible: boolean;
  category: string;
  rank: number;
}

const badInput = (field: string, message: string): Problem => ({
  code: 'BAD_USER_INPUT',
  field,
  message: `${field}: ${message}`,
});

function label(field: string, value: string, max: number): string | Problem {
  const trimmed = value.trim();
  if (!trimmed) return badInput(field, 'must not be empty');
  if (trimmed.length > max) return badInput(field, `must be at most ${max} characters`);
  return trimmed;
}

const isProblem = (value: unknown): value is Problem => typeof value === 'object' && value !== null && 'code' in value;

/**
 * A seat map's name and rows as stored, every seat with its position and rank, or the first problem: empty or
 * long labels, a row or a seat twice, an accessible number not in its row, too many seats. Within a row the middle
 * seats rank first (the best view), so best-available fills a row from its centre.
 */
export function normalizeSeatMap(input: {
  name: string;
  rows: readonly SeatRowInput[];
}): { name: string; seats: NewSeat[] } | Problem {
  const name = label('name', input.name, 100);
  if (isProblem(name)) return name;
  if (input.rows.length === 0) return badInput('rows', 'a seat map has at least one row');
  const rowsSeen = new Set<string>();
  const seats: NewSeat[] = [];
  for (const [i, row] of input.rows.entries()) {
    const at = `rows[${i}]`;
    const section = label(`${at}.section`, row.section, 50);
    if (isProblem(section)) return section;
    const rowLabel = label(`${at}.row`, row.row, 20);
    if (isProblem(rowLabel)) return rowLabel;
    const key = JSON.stringify([section, rowLabel]);
    if (rowsSeen.has(key)) return badInput(`${at}.row`, `row ${rowLabel} of section ${section} is listed twice`);
    rowsSeen.add(key);
    const category = normalizeCategory(row.category);
    const categoryProblem = checkCategory(`${at}.category`, category);
    if (categoryProblem) return categoryProblem;
    const rank = row.rank ?? i;
    if (!Number.isInteger(rank) || rank < 0 || rank > MAX_ROW_RANK)
      return badInput(`${at}.rank`, `must be a whole number from 0 to ${MAX_ROW_RANK.toLocaleString('en-US')}`);
    if (row.numbers.length === 0) return badInput(`${at}.numbers`, 'a row has at least one seat');
    if (row.numbers.length > MAX_SEATS_PER_ROW) return badInput(`${at}.numbers`, `at most ${MAX_SEATS_PER_ROW} seats in a row`);
    if (seats.length + row.numbers.length > MAX_SEATS_PER_MAP)
      return badInput('rows', `at most ${MAX_SEATS_PER_MAP.toLocaleString('en-US')} seats in a map`);
    const numbers: string[] = [];
    for (const [j, raw] of row.numbers.entries()) {
      const number = label(`${at}.numbers[${j}]`, raw, 20);
      if (isProblem(number)) return number;
      if (numbers.includes(number)) return badInput(`${at}.numbers[${j}]`, `seat ${number} is listed twice in the row`);
      numbers.push(number);
    }
    const accessible = new Set<string>();
    for (const [j, raw] of (row.accessible ?? []).entries()) {
      const number = raw.trim();
      if (!numbers.includes(number)) return badInput(`${at}.accessible[${j}]`, `${JSON.stringify(raw)} is not a seat of the row`);
      accessible.add(number);
    }
    const middle = (numbers.length - 1) / 2;
    for (const [position, number] of numbers.entries())
      seats.push({
        section,
        row: rowLabel,
        number,
        position,
        accessible: accessible.has(number),
        category,
        rank: rank * ROW_SPAN + Math.round(Math.abs(position - middle) * 2),
      });
  }
  return { name, seats };
}

/**
 * How an event's seats sell: each category of its seat map under one ticket type of the event (several
 * categories may share one). Every category of the map is named once, and only those.
 */
export function checkSeatAssignment(
  mapCategories: readonly string[],
  assignments: ReadonlyArray<{ category: string; ticketTypeId: string }>,
): Problem | null {
  const named = new Set<string>();
  for (const [i, a] of assignments.entries()) {
    const category = normalizeCategory(a.category);
    if (!mapCategories.includes(category))
      return badInput(`ticketTypes[${i}].category`, `the seat map has no seats of category ${category}`);
    if (named.has(category)) return badInput(`ticketTypes[${i}].category`, `category ${category} is named twice`);
    named.add(category);
  }
  const missing = mapCategories.filter((c) => !named.has(c));
  if (missing.length > 0)
    return badInput('ticketTypes', `name the ticket type of every category of the seat map (missing: ${missing.join(', ')})`);
  return null;
}

/** A hold line as asked: a number of tickets (best-available for a seated type), or the very seats. */
export interface SeatLineInput {
  ticketTypeId: string;
  quantity?: number | null;
  seatIds?: readonly string[] | null;
  accessible?: boolean | null;
}

export interface SeatLine {
  ticketTypeId: string;
  quantity: number;
  /** the seats asked for, or null for best-available (or a type without seats) */
  seatIds: string[] | null;
  /** best-available takes accessible seats only, and only when asked */
  accessible: boolean;
}

/** A line's quantity and seats: exactly one of the two, seats each once; the count is checked with the rest of the lines. */
export function seatLine(line: SeatLineInput, index: number): SeatLine | Problem {
  const at = `items[${index}]`;
  const hasSeats = line.seatIds != null;
  if (hasSeats && line.quantity != null) return badInput(`${at}.seatIds`, 'name the seats or a quantity, not both');
  if (!hasSeats && line.quantity == null) return badInput(`${at}.quantity`, 'name a quantity, or the seats (seatIds)');
  if (!hasSeats)
    return { ticketTypeId: line.ticketTypeId, quantity: line.quantity!, seatIds: null, accessible: !!line.accessible };
  if (line.accessible != null)
    return badInput(`${at}.accessible`, 'asks best-available for accessible seats: name seats or accessible, not both');
  const seatIds = [...line.seatIds!];
  if (seatIds.length === 0) return badInput(`${at}.seatIds`, 'name at least one seat');
  const seen = new Set<string>();
  for (const [j, id] of seatIds.entries()) {
    if (seen.has(id)) return badInput(`${at}.seatIds[${j}]`, 'names a seat already in the line');
    seen.add(id);
  }
  return { ticketTypeId: line.ticketTypeId, quantity: seatIds.length, seatIds, accessible: false };
}

export interface FreeSeat {
  seatId: string;
  section: string;
  row: string;
  position: number;
  rank: number;
}

/**
 * The `quantity` seats best-available gives from `free` (the best-ranked free seats of one type): side by side in
 * one row when any row has that many together — the block whose worst seat ranks best, then the lowest sum —
 * else simply the best-ranked ones. Null when fewer are free.
 */
export function pickBestAvailable(free: readonly FreeSeat[], quantity: number): string[] | null {
  if (free.length < quantity || quantity < 1) return null;
  const rows = new Map<string, FreeSeat[]>();
  for (const seat of free) {
    const key = JSON.stringify([seat.section, seat.row]);
    rows.set(key, [...(rows.get(key) ?? []), seat]);
  }
  let best: { seats: FreeSeat[]; worst: number; sum: number } | null = null;
  for (const seats of rows.values()) {
    seats.sort((a, b) => a.position - b.position);
    for (let start = 0; start + quantity <= seats.length; start++) {
      const block = seats.slice(start, start + quantity);
      if (block.at(-1)!.position - block[0]!.position !== quantity - 1) continue;
      const worst = Math.max(...block.map((s) => s.rank));
      const sum = block.reduce((total, s) => total + s.rank, 0);
      if (!best || worst < best.worst || (worst === best.worst && sum < best.sum)) best = { seats: block, worst, sum };
    }
  }
  const chosen = best?.seats ?? [...free].sort((a, b) => a.rank - b.rank || (a.seatId < b.seatId ? -1 : 1)).slice(0, quantity);
  return chosen.map((s) => s.seatId);
}
