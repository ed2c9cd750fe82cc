import type { Sql } from '@eventgraph/runtime';
import type { CanonicalCandidate } from './dedup-rules';
import type { NormalisedRecord } from '../domain/records';

/** A candidate as the batch sees it: what chooseCanonical compares, plus what blocking and rules need. */
export interface BatchCandidate extends CanonicalCandidate {
  cell: string | null;
  /** the sources already in it: a feed never describes one event twice, so its own records never merge */
  sourceIds: Set<string>;
}

export interface Block {
  from: Date;
  to: Date;
  cells: string[];
}

interface CandidateRow {
  id: string;
  title: string;
  startsAt: Date;
  endsAt: Date | null;
  allDay: boolean;
  latitude: number | null;
  longitude: number | null;
  venueId: string | null;
  city: string | null;
  cell: string | null;
  urls: string[] | null;
  externalIds: string[] | null;
  sourceIds: string[] | null;
}

/**
 * Every canonical event any record of the batch could join, in one statement: those in each record's time window
 * and geo cells (an event of unknown place stays a candidate everywhere), those sharing a URL with a record, and
 * those a moderator pinned one of the records to. The indexes on (cell, startsAt) and (startsAt) keep each
 * window a range scan, so the cost follows the candidates, not the number of canonical events.
 */
const CANDIDATES = `
WITH blocks AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS b("from" timestamptz, "to" timestamptz, cells text[])
), ids AS (
  SELECT w.id FROM blocks b CROSS JOIN LATERAL (
    SELECT x.id FROM "CanonicalEvent" x WHERE x.cell = ANY(b.cells) AND x."startsAt" BETWEEN b."from" AND b."to"
    UNION ALL
    SELECT x.id FROM "CanonicalEvent" x WHERE x.cell IS NULL AND x."startsAt" BETWEEN b."from" AND b."to"
    UNION ALL
    SELECT x.id FROM "CanonicalEvent" x WHERE cardinality(b.cells) = 0 AND x."startsAt" BETWEEN b."from" AND b."to"
  ) w
  UNION
  SELECT r."canonicalEventId" FROM "SourceRecord" r
  WHERE r.url IN (SELECT jsonb_array_elements_text($2::jsonb)) AND r.state = 'ACTIVE' AND r."canonicalEventId" IS NOT NULL
  UNION
  SELECT m."canonicalEventId" FROM "MatchRule" m
  WHERE m.kind = 'PIN' AND m."sourceId" = $3::uuid AND m."externalId" IN (SELECT jsonb_array_elements_text($4::jsonb))
)
SELECT c.id, c.title, c."startsAt", c."endsAt", c."allDay", c.latitude, c.longitude, c."venueId", c.city, c.cell,
  k.urls, k."externalIds", k."sourceIds"
FROM "CanonicalEvent" c
LEFT JOIN LATERAL (
  SELECT array_agg(DISTINCT r.url) FILTER (WHERE r.url IS NOT NULL) AS urls,
    array_agg(r."externalId") AS "externalIds", array_agg(DISTINCT r."sourceId"::text) AS "sourceIds"
  FROM "SourceRecord" r WHERE r."canonicalEventId" = c.id AND r.state = 'ACTIVE'
) k ON true
-- an array, not IN (subquery): the planner overestimates the ids and would scan the whole table to hash-join them
WHERE c.id = ANY(ARRAY(SELECT id FROM ids))`;

export async function loadCandidates(
  tx: Sql,
  sourceId: string,
  records: { record: NormalisedRecord; block: Block }[],
): Promise<BatchCandidate[]> {
  if (records.length === 0) return [];
  const blocks = mergeBlocks(records.map((r) => r.block)).map((b) => ({
    from: b.from.toISOString(),
    to: b.to.toISOString(),
    cells: b.cells,
  }));
  const urls = [...new Set(records.map(({ record }) => record.url).filter((u): u is string => !!u))];
  const rows = await tx.query<CandidateRow>(CANDIDATES, [
    JSON.stringify(blocks),
    JSON.stringify(urls),
    sourceId,
    JSON.stringify(records.map(({ record }) => record.externalId)),
  ]);
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    startsAt: new Date(row.startsAt),
    endsAt: row.endsAt ? new Date(row.endsAt) : null,
    allDay: row.allDay,
    latitude: row.latitude,
    longitude: row.longitude,
    venueId: row.venueId,
    city: row.city,
    cell: row.cell,
    urls: row.urls ?? [],
    externalIds: row.externalIds ?? [],
    sourceIds: new Set(row.sourceIds ?? []),
  }));
}

/**
 * Records of one feed mostly share their cells and overlapping windows: blocks with the same cells are merged
 * into as few time ranges as cover them, so the database scans each range once. The pool filters per record.
 */
export function mergeBlocks(blocks: Block[]): Block[] {
  const byCells = new Map<string, Block[]>();
  for (const block of blocks) {
    const cells = [...block.cells].sort();
    const key = cells.join(',');
    const group = byCells.get(key);
    if (group) group.push({ ...block, cells });
    else byCells.set(key, [{ ...block, cells }]);
  }
  const merged: Block[] = [];
  for (const group of byCells.values()) {
    group.sort((a, b) => a.from.getTime() - b.from.getTime());
    let current = group[0]!;
    for (const block of group.slice(1)) {
      if (block.from.getTime() <= current.to.getTime()) {
        if (block.to > current.to) current = { ...current, to: block.to };
      } else {
        merged.push(current);
        current = block;
      }
    }
    merged.push(current);
  }
  return merged;
}

/** A canonical event made from a record earlier in the same batch, so a later record can join it. */
export function candidateOf(id: string, record: NormalisedRecord, sourceId: string): BatchCandidate {
  return {
    id,
    title: record.title,
    startsAt: record.startsAt,
    endsAt: record.endsAt,
    allDay: record.allDay,
    latitude: record.place.latitude,
    longitude: record.place.longitude,
    venueId: record.place.venueId,
    city: record.place.city,
    cell: record.place.cell,
    urls: record.url ? [record.url] : [],
    externalIds: [record.externalId],
    sourceIds: new Set([sourceId]),
  };
}

/**
 * The batch's candidates, sorted by start, so each record looks only at its own window: a binary search to the
 * window, then the cell test.
 */
export class CandidatePool {
  private readonly sorted: BatchCandidate[];
  private readonly ids = new Map<string, BatchCandidate>();
  private readonly urls = new Map<string, BatchCandidate[]>();

  constructor(candidates: BatchCandidate[]) {
    this.sorted = [...candidates].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (const c of candidates) this.index(c);
  }

  add(candidate: BatchCandidate): void {
    this.sorted.splice(this.firstAtOrAfter(candidate.startsAt.getTime()), 0, candidate);
    this.index(candidate);
  }

  byId(id: string): BatchCandidate | undefined {
    return this.ids.get(id);
  }

  private index(candidate: BatchCandidate): void {
    this.ids.set(candidate.id, candidate);
    for (const url of candidate.urls) {
      const same = this.urls.get(url);
      if (same) same.push(candidate);
      else this.urls.set(url, [candidate]);
    }
  }

  /** the candidates of one record: in its block, or sharing its URL, or the one a moderator pinned it to */
  for(record: NormalisedRecord, block: Block, pinned: string | null): BatchCandidate[] {
    const cells = new Set(block.cells);
    const found: BatchCandidate[] = [];
    const seen = new Set<string>();
    const to = block.to.getTime();
    for (let i = this.firstAtOrAfter(block.from.getTime()); i < this.sorted.length; i++) {
      const c = this.sorted[i]!;
      if (c.startsAt.getTime() > to) break;
      if (cells.size === 0 || c.cell === null || cells.has(c.cell)) {
        found.push(c);
        seen.add(c.id);
      }
    }
    const byUrl = record.url ? (this.urls.get(record.url) ?? []) : [];
    for (const c of byUrl) {
      if (!seen.has(c.id) && withinDays(c.startsAt, record.startsAt, 1)) {
        found.push(c);
        seen.add(c.id);
      }
    }
    const pin = pinned ? this.ids.get(pinned) : undefined;
    if (pin && !seen.has(pin.id)) found.push(pin);
    return found;
  }

  private firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.startsAt.getTime() < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** a shared URL outside the window is another occurrence of a series page, not the same event */
const withinDays = (a: Date, b: Date, days: number) => Math.abs(a.getTime() - b.getTime()) <= days * 86_400_000;
