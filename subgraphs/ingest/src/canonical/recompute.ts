import type { Announce, Sql } from '@eventgraph/runtime';
import { moderationOnArrival, qualityScore, surviveFields, TRUST_LEVELS } from './dedup-rules';
import { publicationAfter, type ModerationState, type Publication } from '../domain/moderation';
import { loadMembers, recordOf, type MemberRow } from './members';
import { PUBLIC_EVENT_TOPICS, publicFieldsDiffer, upsertedPayload, type PublicFields } from './public-event';

interface CanonicalRow extends PublicFields {
  id: string;
  cancelled: boolean;
  sourceCount: number;
  moderation: ModerationState;
  qualityScore: number;
  qualitySignals: string[];
  version: number;
  publishedVersion: number | null;
}

export interface RecomputeOptions {
  /** canonical events created by this batch: their moderation is decided on arrival, by the source's rule */
  arrivals?: ReadonlySet<string>;
  /** a moderator's decision: the event moves to this state (the decision row is the caller's) */
  moderation?: ReadonlyMap<string, ModerationState>;
}

export interface RecomputeResult {
  /** what was announced to `events`, per canonical event */
  publications: Map<string, Exclude<Publication, null>>;
  /** canonical events left with no live record */
  emptied: string[];
}

const COLUMNS = `id, title, description, "startsAt", "endsAt", "allDay", "timeZone", "placeText", "venueName", "venueId",
  city, country, latitude, longitude, cell, url, "imageUrl", categories, cancelled, "sourceCount", moderation::text AS moderation,
  "qualityScore", "qualitySignals", version, "publishedVersion"`;

/**
 * Brings canonical events up to date with their live records: surviving fields, quality, cancellation (no live
 * record left, or every one says cancelled), moderation on arrival, and the announcement to `events` when what
 * it shows changed — version + 1 in the same transaction, so the public copy follows exactly once in effect.
 * Reads two statements and writes one (plus decisions), whatever the number of events.
 */
export async function recomputeCanonicalEvents(
  tx: Sql,
  announce: Announce,
  ids: Iterable<string>,
  options: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const list = [...new Set(ids)];
  const result: RecomputeResult = { publications: new Map(), emptied: [] };
  if (list.length === 0) return result;
  const [rows, members] = await Promise.all([
    tx.query<CanonicalRow>(
      `SELECT ${COLUMNS} FROM "CanonicalEvent" WHERE id = ANY(ARRAY(SELECT value::uuid FROM jsonb_array_elements_text($1::jsonb)))`,
      [JSON.stringify(list)],
    ),
    loadMembers(tx, list),
  ]);
  const membersOf = new Map<string, MemberRow[]>();
  for (const m of members) {
    const same = membersOf.get(m.canonicalEventId);
    if (same) same.push(m);
    else membersOf.set(m.canonicalEventId, [m]);
  }

  const updates: Record<string, unknown>[] = [];
  const decisions: { canonicalEventId: string; state: ModerationState }[] = [];
  for (const row of rows) {
    const live = membersOf.get(row.id) ?? [];
    if (live.length === 0) result.emptied.push(row.id);
    const next = live.length ? mergedFields(live) : emptied(row);
    let moderation = options.moderation?.get(row.id) ?? row.moderation;
    if (options.arrivals?.has(row.id) && next.quality) {
      moderation = moderationOnArrival({ quality: next.quality.score, trust: next.trust, autoApprove: next.autoApprove });
      if (moderation !== row.moderation) decisions.push({ canonicalEventId: row.id, state: moderation });
    }
    const sourceCount = new Set(live.map((m) => m.sourceId)).size;
    const fieldsChanged = publicFieldsDiffer(fieldsOf(row), next.fields) || sourceCount !== row.sourceCount;
    const publication = publicationAfter({
      wasApproved: row.moderation === 'APPROVED',
      isApproved: moderation === 'APPROVED',
      everPublished: row.publishedVersion !== null,
      wasCancelled: row.cancelled,
      isCancelled: next.cancelled,
      fieldsChanged,
    });
    const version = publication ? row.version + 1 : row.version;
    const quality = next.quality ?? { score: row.qualityScore, signals: row.qualitySignals };
    const unchanged =
      !fieldsChanged &&
      !publication &&
      moderation === row.moderation &&
      next.cancelled === row.cancelled &&
      quality.score === row.qualityScore &&
      quality.signals.join() === row.qualitySignals.join();
    if (unchanged) continue;
    updates.push({
      id: row.id,
      ...next.fields,
      startsAt: next.fields.startsAt.toISOString(),
      endsAt: next.fields.endsAt?.toISOString() ?? null,
      cancelled: next.cancelled,
      sourceCount,
      moderation,
      qualityScore: quality.score,
      qualitySignals: quality.signals,
      version,
      publishedVersion: publication ? version : row.publishedVersion,
    });
    if (publication) {
      result.publications.set(row.id, publication);
      await announce(
        PUBLIC_EVENT_TOPICS[publication],
        publication === 'UPSERTED'
          ? upsertedPayload(row.id, version, next.fields, sourceCount)
          : { canonicalEventId: row.id, version },
      );
    }
  }
  await writeUpdates(tx, updates);
  await recordRuleDecisions(tx, decisions);
  return result;
}

interface Merged {
  fields: PublicFields;
  /** the most trusted member's trust, 0..100 */
  trust: number;
  quality: { score: number; signals: string[] } | null;
  cancelled: boolean;
  autoApprove: { minTrust: number; minQuality: number } | null;
}

/** an event with no live record keeps its last fields, cancelled */
const emptied = (row: CanonicalRow): Merged => ({
  fields: fieldsOf(row),
  trust: 0,
  quality: null,
  cancelled: true,
  autoApprove: null,
});

function mergedFields(live: MemberRow[]): Merged {
  const trust = Math.max(...live.map((m) => TRUST_LEVELS[m.trust]));
  const survived = surviveFields(
    live.map((m) => ({
      record: recordOf(m),
      trust: TRUST_LEVELS[m.trust],
      priority: m.priority,
      seenAt: new Date(m.lastSeenAt),
    })),
  );
  const fields: PublicFields = {
    title: survived.title,
    description: survived.description,
    startsAt: survived.startsAt,
    endsAt: survived.endsAt,
    allDay: survived.allDay,
    timeZone: survived.timeZone,
    placeText: survived.place.text,
    venueName: survived.place.venueName,
    venueId: survived.place.venueId,
    city: survived.place.city,
    country: survived.place.country,
    latitude: survived.place.latitude,
    longitude: survived.place.longitude,
    cell: survived.place.cell,
    url: survived.url,
    imageUrl: survived.imageUrl,
    categories: survived.categories.map((c) => c.slug),
  };
  // a source that opted into auto-approval lends it to the events it brings
  const autoApproveQuality = live.find((m) => m.autoApproveQuality !== null)?.autoApproveQuality ?? null;
  return {
    fields,
    trust,
    quality: qualityScore(survived, trust),
    cancelled: live.every((m) => m.cancelled),
    autoApprove: autoApproveQuality === null ? null : { minTrust: 0, minQuality: autoApproveQuality },
  };
}

const fieldsOf = (row: CanonicalRow): PublicFields => ({
  title: row.title,
  description: row.description,
  startsAt: new Date(row.startsAt),
  endsAt: row.endsAt ? new Date(row.endsAt) : null,
  allDay: row.allDay,
  timeZone: row.timeZone,
  placeText: row.placeText,
  venueName: row.venueName,
  venueId: row.venueId,
  city: row.city,
  country: row.country,
  latitude: row.latitude,
  longitude: row.longitude,
  cell: row.cell,
  url: row.url,
  imageUrl: row.imageUrl,
  categories: row.categories,
});

async function writeUpdates(tx: Sql, updates: Record<string, unknown>[]): Promise<void> {
  if (updates.length === 0) return;
  await tx.execute(
    `UPDATE "CanonicalEvent" c SET title = n.title, description = n.description, "startsAt" = n."startsAt",
       "endsAt" = n."endsAt", "allDay" = n."allDay", "timeZone" = n."timeZone", "placeText" = n."placeText",
       "venueName" = n."venueName", "venueId" = n."venueId", city = n.city, country = n.country,
       latitude = n.latitude, longitude = n.longitude, cell = n.cell, url = n.url, "imageUrl" = n."imageUrl",
       categories = n.categories, cancelled = n.cancelled, "sourceCount" = n."sourceCount", moderation = n.moderation::"ModerationState",
       "qualityScore" = n."qualityScore", "qualitySignals" = n."qualitySignals", version = n.version,
       "publishedVersion" = n."publishedVersion", "updatedAt" = now()
     FROM jsonb_to_recordset($1::jsonb) AS n(id uuid, title text, description text, "startsAt" timestamptz,
       "endsAt" timestamptz, "allDay" boolean, "timeZone" text, "placeText" text, "venueName" text, "venueId" text,
       city text, country text, latitude double precision, longitude double precision, cell text, url text,
       "imageUrl" text, categories text[], cancelled boolean, "sourceCount" integer, moderation text, "qualityScore" double precision,
       "qualitySignals" text[], version integer, "publishedVersion" integer)
     WHERE c.id = n.id`,
    [JSON.stringify(updates)],
  );
}

/** decisions taken by a rule (auto-approval, flagging on arrival): no actor */
async function recordRuleDecisions(tx: Sql, decisions: { canonicalEventId: string; state: ModerationState }[]): Promise<void> {
  if (decisions.length === 0) return;
  await tx.execute(
    `INSERT INTO "ModerationDecision" ("canonicalEventId", state, note, "actorKind")
     SELECT n."canonicalEventId", n.state::"ModerationState", 'decided on arrival by the source''s rule', 'RULE'
     FROM jsonb_to_recordset($1::jsonb) AS n("canonicalEventId" uuid, state text)`,
    [JSON.stringify(decisions)],
  );
}
