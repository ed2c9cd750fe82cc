import type { Announce, Sql } from '@eventgraph/runtime';
import { assignCanonicalEvents } from '../canonical/assign';
import { recomputeCanonicalEvents } from '../canonical/recompute';
import type { NormalisedRecord, ParsedRecord, RecordProblem } from '../domain/records';
import { invalidRow, RECORD_COLUMNS, validRow, type RecordRow } from './record-rows';
import { dedupSettings, inTransaction, type StagingServices, type StagedSource } from './services';

/**
 * What a batch did. Every record counts once in new, updated, unchanged or rejected; `duplicate` counts those of
 * the new and updated ones that joined an existing canonical event (another source's record of the same event).
 */
export interface StageCounts {
  new: number;
  updated: number;
  unchanged: number;
  duplicate: number;
  rejected: number;
}

export interface StageInput {
  source: StagedSource;
  runId: string;
  batch: NormalisedRecord[];
  invalid: { parsed: ParsedRecord; problems: RecordProblem[] }[];
}

interface ExistingRow {
  id: string;
  externalId: string;
  state: 'ACTIVE' | 'INVALID' | 'REMOVED';
  contentHash: string | null;
  canonicalEventId: string | null;
}

/**
 * Stages one batch in one transaction: a record fetched again is the same row (updated, or only touched when its
 * content hash is unchanged), a refused one is kept INVALID with its problems, and every new or changed live
 * record is placed in a canonical event, whose fields, quality and publication are then brought up to date.
 */
export async function stageRecords(services: StagingServices, input: StageInput): Promise<StageCounts> {
  return inTransaction(services.sql, (tx, announce) => stageInTransaction(tx, announce, input));
}

export async function stageInTransaction(tx: Sql, announce: Announce, input: StageInput): Promise<StageCounts> {
  const { source, runId } = input;
  const rows = uniqueByExternalId([
    ...input.batch.map(validRow),
    ...input.invalid.map(({ parsed, problems }) => invalidRow(parsed, problems)),
  ]);
  const counts: StageCounts = { new: 0, updated: 0, unchanged: 0, duplicate: 0, rejected: input.invalid.length };
  if (rows.length === 0) return counts;

  const existing = new Map(
    (
      await tx.query<ExistingRow>(
        `SELECT id, "externalId", state::text AS state, "contentHash", "canonicalEventId" FROM "SourceRecord"
         WHERE "sourceId" = $1::uuid AND "externalId" = ANY(ARRAY(SELECT jsonb_array_elements_text($2::jsonb)))`,
        [source.id, JSON.stringify(rows.map((r) => r.externalId))],
      )
    ).map((row) => [row.externalId, row]),
  );
  const touched: string[] = [];
  const written: RecordRow[] = [];
  for (const row of rows) {
    const before = existing.get(row.externalId);
    if (before && before.state === row.state && before.contentHash === row.contentHash) touched.push(before.id);
    else written.push(row);
    if (row.state === 'INVALID') continue;
    if (!before) counts.new++;
    else if (before.state === row.state && before.contentHash === row.contentHash) counts.unchanged++;
    else counts.updated++;
  }

  if (touched.length) {
    // unchanged: only proof that the feed still has it
    await tx.execute(
      `UPDATE "SourceRecord" SET "lastSeenAt" = now(), "lastRunId" = $2::uuid
       WHERE id = ANY(ARRAY(SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))`,
      [JSON.stringify(touched), runId],
    );
  }
  const saved = await upsertRows(tx, source.id, runId, written);

  // live records without a canonical event are placed; those already in one keep it (a moderator's split or
  // merge moved them there, and a changed time or title is the same event told better)
  const records = new Map(input.batch.map((r) => [r.externalId, r]));
  const unplaced = saved
    .filter((s) => s.state === 'ACTIVE' && !s.canonicalEventId)
    .map((s) => ({ id: s.id, record: records.get(s.externalId)! }));
  const assignments = await assignCanonicalEvents(tx, source.id, unplaced, dedupSettings());
  counts.duplicate = assignments.filter((a) => !a.created).length;

  const affected = new Set<string>(assignments.map((a) => a.canonicalEventId));
  for (const s of saved) if (s.canonicalEventId) affected.add(s.canonicalEventId);
  // a record refused now, once live in a canonical event, no longer speaks for it
  for (const s of saved)
    if (s.state === 'INVALID' && existing.get(s.externalId)?.canonicalEventId)
      affected.add(existing.get(s.externalId)!.canonicalEventId!);
  await recomputeCanonicalEvents(tx, announce, affected, {
    arrivals: new Set(assignments.filter((a) => a.created).map((a) => a.canonicalEventId)),
  });
  return counts;
}

/** a feed listing one record twice stages it once (the last one wins, as a later fetch would) */
function uniqueByExternalId(rows: RecordRow[]): RecordRow[] {
  return [...new Map(rows.map((r) => [r.externalId, r])).values()];
}

interface SavedRow {
  id: string;
  externalId: string;
  state: 'ACTIVE' | 'INVALID';
  canonicalEventId: string | null;
}

/** one INSERT … ON CONFLICT for the batch's new and changed rows; a refused record leaves its canonical event */
async function upsertRows(tx: Sql, sourceId: string, runId: string, rows: RecordRow[]): Promise<SavedRow[]> {
  if (rows.length === 0) return [];
  return tx.query<SavedRow>(
    `INSERT INTO "SourceRecord" (id, "sourceId", "externalId", "feedId", state, problems, title, description,
       "startsAt", "endsAt", "allDay", "timeZone", "placeText", "venueName", city, country, latitude, longitude,
       "geoConfidence", "venueId", cell, url, "imageUrl", categories, cancelled, "contentHash", raw, "lastRunId",
       "firstSeenAt", "lastSeenAt")
     SELECT gen_random_uuid(), $1::uuid, r."externalId", r."feedId", r.state::"RecordState", r.problems, r.title,
       r.description, r."startsAt", r."endsAt", r."allDay", r."timeZone", r."placeText", r."venueName", r.city,
       r.country, r.latitude, r.longitude, r."geoConfidence", r."venueId", r.cell, r.url, r."imageUrl",
       ARRAY(SELECT jsonb_array_elements_text(r.categories)), r.cancelled, r."contentHash", r.raw, $2::uuid, now(), now()
     FROM jsonb_to_recordset($3::jsonb) AS r(${RECORD_COLUMNS})
     ON CONFLICT ("sourceId", "externalId") DO UPDATE SET "feedId" = EXCLUDED."feedId", state = EXCLUDED.state,
       problems = EXCLUDED.problems, title = EXCLUDED.title, description = EXCLUDED.description,
       "startsAt" = EXCLUDED."startsAt", "endsAt" = EXCLUDED."endsAt", "allDay" = EXCLUDED."allDay",
       "timeZone" = EXCLUDED."timeZone", "placeText" = EXCLUDED."placeText", "venueName" = EXCLUDED."venueName",
       city = EXCLUDED.city, country = EXCLUDED.country, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
       "geoConfidence" = EXCLUDED."geoConfidence", "venueId" = EXCLUDED."venueId", cell = EXCLUDED.cell,
       url = EXCLUDED.url, "imageUrl" = EXCLUDED."imageUrl", categories = EXCLUDED.categories,
       cancelled = EXCLUDED.cancelled, "contentHash" = EXCLUDED."contentHash", raw = EXCLUDED.raw, "rawScrubbedAt" = NULL,
       "lastRunId" = EXCLUDED."lastRunId", "lastSeenAt" = now(), "removedAt" = NULL,
       "canonicalEventId" = CASE WHEN EXCLUDED.state = 'INVALID' THEN NULL ELSE "SourceRecord"."canonicalEventId" END
     RETURNING id, "externalId", state::text AS state, "canonicalEventId"`,
    [sourceId, runId, JSON.stringify(rows)],
  );
}
