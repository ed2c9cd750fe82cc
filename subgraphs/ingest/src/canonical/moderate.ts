import { randomUUID } from 'node:crypto';
import { DomainError, notFound, type Announce, type Sql } from '@eventgraph/runtime';
import type { Actor } from './actor';
import { checkMerge, checkModeration, checkSplit, type ModerationCheck, type ModerationState } from '../domain/moderation';
import { recordMatches } from './assign';
import { recomputeCanonicalEvents } from './recompute';

/**
 * A moderator's three acts on canonical events, each in the caller's transaction: a state change (approval
 * publishes, leaving approval withdraws), splitting a record out, merging two events. Splits and merges are
 * kept as MatchRules keyed by the record's source and external id, so later fetches respect them.
 */

function refuse(check: ModerationCheck, extensions: Record<string, unknown> = {}): void {
  if (!check.ok) throw new DomainError(check.code, check.message, extensions);
}

async function lockCanonical(tx: Sql, id: string): Promise<{ id: string; moderation: ModerationState }> {
  const [row] = await tx.query<{ id: string; moderation: ModerationState }>(
    `SELECT id, moderation::text AS moderation FROM "CanonicalEvent" WHERE id = $1::uuid FOR UPDATE`,
    [id],
  );
  if (!row) throw notFound('CanonicalEvent', id);
  return row;
}

async function recordDecision(tx: Sql, canonicalEventId: string, state: ModerationState, note: string | null, actor: Actor) {
  await tx.execute(
    `INSERT INTO "ModerationDecision" ("canonicalEventId", state, note, "actorId", "actorKind")
     VALUES ($1::uuid, $2::"ModerationState", $3, $4::uuid, $5)`,
    [canonicalEventId, state, note, actor.actorId, actor.actorKind],
  );
}

export async function moderateCanonicalEvent(
  tx: Sql,
  announce: Announce,
  input: { id: string; state: ModerationState; note: string | null; actor: Actor },
): Promise<void> {
  const current = await lockCanonical(tx, input.id);
  refuse(checkModeration(current.moderation, input.state, input.note), { from: current.moderation, to: input.state });
  await recordDecision(tx, input.id, input.state, input.note, input.actor);
  await recomputeCanonicalEvents(tx, announce, [input.id], { moderation: new Map([[input.id, input.state]]) });
}

interface RecordRow {
  id: string;
  sourceId: string;
  externalId: string;
  title: string | null;
  startsAt: Date | null;
  cell: string | null;
  canonicalEventId: string | null;
}

/** Moves the record into a canonical event of its own; it never joins the old one again. Returns the new id. */
export async function splitSourceRecord(tx: Sql, announce: Announce, input: { recordId: string; actor: Actor }): Promise<string> {
  const [record] = await tx.query<RecordRow>(
    `SELECT id, "sourceId", "externalId", title, "startsAt", cell, "canonicalEventId" FROM "SourceRecord"
     WHERE id = $1::uuid AND state = 'ACTIVE' FOR UPDATE`,
    [input.recordId],
  );
  if (!record) throw notFound('SourceRecord', input.recordId);
  const [counted] = record.canonicalEventId
    ? await tx.query<{ members: number }>(
        `SELECT count(*)::int AS members FROM "SourceRecord" WHERE "canonicalEventId" = $1::uuid AND state = 'ACTIVE'`,
        [record.canonicalEventId],
      )
    : [];
  refuse(checkSplit(record, counted?.members ?? 0), { recordId: record.id });
  const oldId = record.canonicalEventId!;
  await lockCanonical(tx, oldId);
  const newId = randomUUID();
  await tx.execute(
    `INSERT INTO "CanonicalEvent" (id, title, "startsAt", cell, "updatedAt") VALUES ($1::uuid, $2, $3, $4, now())`,
    [newId, record.title ?? '', record.startsAt, record.cell],
  );
  await tx.execute(`UPDATE "SourceRecord" SET "canonicalEventId" = $2::uuid WHERE id = $1::uuid`, [record.id, newId]);
  // the split outlives the record's next fetches: never the old event again, and no pin back into it
  await tx.execute(`DELETE FROM "MatchRule" WHERE "sourceId" = $1::uuid AND "externalId" = $2 AND kind = 'PIN'`, [
    record.sourceId,
    record.externalId,
  ]);
  await tx.execute(
    `INSERT INTO "MatchRule" ("sourceId", "externalId", "canonicalEventId", kind, "actorId") VALUES ($1::uuid, $2, $3::uuid, 'FORBID', $4::uuid)
     ON CONFLICT DO NOTHING`,
    [record.sourceId, record.externalId, oldId, input.actor.actorId],
  );
  await recordMatches(tx, [
    { recordId: record.id, canonicalEventId: newId, explanation: { reason: 'NEW', total: 1, title: 1, time: 1, location: 1 } },
  ]);
  await recomputeCanonicalEvents(tx, announce, [oldId, newId], { arrivals: new Set([newId]) });
  return newId;
}

/**
 * Moves every record of `mergeId` into `keepId` and pins them there; `mergeId` is rejected (withdrawn from
 * `events` if it was public), with a decision saying where it went.
 */
export async function mergeCanonicalEvents(
  tx: Sql,
  announce: Announce,
  input: { keepId: string; mergeId: string; actor: Actor },
): Promise<void> {
  refuse(checkMerge(input.keepId, input.mergeId));
  // both locked in id order, so two merges of one pair cannot deadlock
  const locked = await tx.query<{ id: string; moderation: ModerationState }>(
    `SELECT id, moderation::text AS moderation FROM "CanonicalEvent" WHERE id IN ($1::uuid, $2::uuid) ORDER BY id FOR UPDATE`,
    [input.keepId, input.mergeId],
  );
  for (const id of [input.keepId, input.mergeId]) if (!locked.some((row) => row.id === id)) throw notFound('CanonicalEvent', id);
  const merged = locked.find((row) => row.id === input.mergeId)!;
  const moved = await tx.query<{ id: string; sourceId: string; externalId: string }>(
    `UPDATE "SourceRecord" SET "canonicalEventId" = $2::uuid WHERE "canonicalEventId" = $1::uuid
     RETURNING id, "sourceId", "externalId"`,
    [input.mergeId, input.keepId],
  );
  const keys = JSON.stringify(moved.map((m) => ({ sourceId: m.sourceId, externalId: m.externalId })));
  await tx.execute(
    `DELETE FROM "MatchRule" m USING jsonb_to_recordset($1::jsonb) AS k("sourceId" uuid, "externalId" text)
     WHERE m."sourceId" = k."sourceId" AND m."externalId" = k."externalId" AND (m.kind = 'PIN' OR m."canonicalEventId" = $2::uuid)`,
    [keys, input.keepId],
  );
  await tx.execute(
    `INSERT INTO "MatchRule" ("sourceId", "externalId", "canonicalEventId", kind, "actorId")
     SELECT k."sourceId", k."externalId", $2::uuid, 'PIN', $3::uuid FROM jsonb_to_recordset($1::jsonb) AS k("sourceId" uuid, "externalId" text)
     ON CONFLICT DO NOTHING`,
    [keys, input.keepId, input.actor.actorId],
  );
  await recordMatches(
    tx,
    moved.map((m) => ({
      recordId: m.id,
      canonicalEventId: input.keepId,
      explanation: { reason: 'PINNED' as const, total: 1, title: 1, time: 1, location: 1 },
    })),
  );
  const rejection = new Map<string, ModerationState>();
  if (merged.moderation !== 'REJECTED') {
    await recordDecision(tx, input.mergeId, 'REJECTED', `merged into ${input.keepId}`, input.actor);
    rejection.set(input.mergeId, 'REJECTED');
  }
  await recomputeCanonicalEvents(tx, announce, [input.keepId, input.mergeId], { moderation: rejection });
}
