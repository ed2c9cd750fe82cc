import { randomUUID } from 'node:crypto';
import type { Sql } from '@eventgraph/runtime';
import { blockingFor, chooseCanonical, type DedupSettings } from './dedup-rules';
import type { NormalisedRecord } from '../domain/records';
import { CandidatePool, candidateOf, loadCandidates } from './candidates';

/** Why a record is in its canonical event: the reason and the score per field at the time it joined. */
export interface MatchExplanationRow {
  reason: 'EXTERNAL_ID' | 'URL' | 'SCORE' | 'PINNED' | 'NEW';
  total: number;
  title: number;
  time: number;
  location: number;
}

export interface Assignment {
  recordId: string;
  canonicalEventId: string;
  /** the record started a canonical event of its own */
  created: boolean;
  explanation: MatchExplanationRow;
}

interface RuleRow {
  externalId: string;
  canonicalEventId: string;
  kind: 'PIN' | 'FORBID';
}

/** a record that starts a canonical event matches it perfectly */
const NEW: MatchExplanationRow = { reason: 'NEW', total: 1, title: 1, time: 1, location: 1 };

/**
 * Places the batch's unplaced records: each joins the canonical event it duplicates (a moderator's pin first,
 * never one it was split from) or starts a new one, which later records of the batch may join. Candidates,
 * rules and all writes are one statement each for the whole batch.
 */
export async function assignCanonicalEvents(
  tx: Sql,
  sourceId: string,
  records: { id: string; record: NormalisedRecord }[],
  settings: DedupSettings,
): Promise<Assignment[]> {
  if (records.length === 0) return [];
  const blocked = records.map((r) => ({ ...r, block: blockingFor(r.record) }));
  await lockAreas(
    tx,
    blocked.map((r) => r.block.cells),
  );
  const externalIds = JSON.stringify(records.map((r) => r.record.externalId));
  const [candidates, rules] = await Promise.all([
    loadCandidates(tx, sourceId, blocked),
    tx.query<RuleRow>(
      `SELECT "externalId", "canonicalEventId", kind::text AS kind FROM "MatchRule"
       WHERE "sourceId" = $1::uuid AND "externalId" = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`,
      [sourceId, externalIds],
    ),
  ]);
  const pool = new CandidatePool(candidates);
  const assignments: Assignment[] = [];
  for (const { id, record, block } of blocked) {
    const mine = rules.filter((r) => r.externalId === record.externalId);
    const forbidden = new Set(mine.filter((r) => r.kind === 'FORBID').map((r) => r.canonicalEventId));
    const pinned = mine.find((r) => r.kind === 'PIN')?.canonicalEventId ?? null;
    const candidates = pool
      .for(record, block, pinned)
      .filter((c) => c.id === pinned || (!c.sourceIds.has(sourceId) && !forbidden.has(c.id)));
    const choice = chooseCanonical(record, candidates, settings, { forbidden, pinned });
    if (choice) {
      const { reason, total, title, time, location } = choice.explanation;
      assignments.push({
        recordId: id,
        canonicalEventId: choice.canonicalId,
        created: false,
        explanation: { reason, total, title, time, location },
      });
      pool.byId(choice.canonicalId)?.sourceIds.add(sourceId);
    } else {
      const canonicalEventId = randomUUID();
      assignments.push({ recordId: id, canonicalEventId, created: true, explanation: NEW });
      pool.add(candidateOf(canonicalEventId, record, sourceId));
    }
  }
  await writeAssignments(tx, assignments, new Map(records.map((r) => [r.id, r.record])));
  return assignments;
}

/**
 * Two sources staged at once could each start a canonical event for the same night. Each transaction first locks
 * the geo cells its records could match in (a record without a place locks the no-place area), until it commits:
 * stagers of other areas run in parallel, those of one area one after the other. Taken in one statement, in
 * sorted order, so two stagers never wait on each other crosswise.
 */
async function lockAreas(tx: Sql, cellsPerRecord: string[][]): Promise<void> {
  const areas = new Set<string>();
  for (const cells of cellsPerRecord) {
    if (cells.length === 0) areas.add('-');
    for (const cell of cells) areas.add(cell);
  }
  await tx.query(
    `SELECT count(*)::int AS locked FROM (
       SELECT pg_advisory_xact_lock(hashtext('ingest.area.' || a)) FROM
         (SELECT DISTINCT jsonb_array_elements_text($1::jsonb) AS a ORDER BY 1) areas
     ) taken`,
    [JSON.stringify([...areas].sort())],
  );
}

async function writeAssignments(tx: Sql, assignments: Assignment[], records: Map<string, NormalisedRecord>): Promise<void> {
  const created = assignments
    .filter((a) => a.created)
    .map((a) => {
      const record = records.get(a.recordId)!;
      return { id: a.canonicalEventId, title: record.title, startsAt: record.startsAt.toISOString(), cell: record.place.cell };
    });
  // the fields are filled in by the recomputation that follows; the row must exist before records point at it
  if (created.length) {
    await tx.execute(
      `INSERT INTO "CanonicalEvent" (id, title, "startsAt", cell, "updatedAt")
       SELECT n.id, n.title, n."startsAt", n.cell, now()
       FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, title text, "startsAt" timestamptz, cell text)`,
      [JSON.stringify(created)],
    );
  }
  await tx.execute(
    `UPDATE "SourceRecord" r SET "canonicalEventId" = n."canonicalEventId"
     FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, "canonicalEventId" uuid) WHERE r.id = n.id`,
    [JSON.stringify(assignments.map((a) => ({ id: a.recordId, canonicalEventId: a.canonicalEventId })))],
  );
  await recordMatches(tx, assignments);
}

/** DuplicateMatch rows: the explanation of each placement, kept as provenance. */
export async function recordMatches(
  tx: Sql,
  matches: { recordId: string; canonicalEventId: string; explanation: MatchExplanationRow }[],
): Promise<void> {
  if (matches.length === 0) return;
  await tx.execute(
    `INSERT INTO "DuplicateMatch" ("canonicalEventId", "recordId", reason, total, "titleScore", "timeScore", "locationScore")
     SELECT n."canonicalEventId", n."recordId", n.reason, n.total, n.title, n.time, n.location
     FROM jsonb_to_recordset($1::jsonb) AS n("canonicalEventId" uuid, "recordId" uuid, reason text,
       total double precision, title double precision, time double precision, location double precision)`,
    [JSON.stringify(matches.map((m) => ({ recordId: m.recordId, canonicalEventId: m.canonicalEventId, ...m.explanation })))],
  );
}
