import type { ConsumerServices, SqlDatabase } from '@eventgraph/runtime';
import type { UsersDb } from '../context';
import {
  deliveryTime,
  eventTerms,
  foldsIntoDigest,
  matchEvent,
  startOfLocalDay,
  type EventFacts,
  type Reason,
} from '../domain/notification-matching';
import type { MinuteWindow, NotificationChannel, Preferences } from '../domain/notification-preferences';
import { releaseNow } from './release';

/** Announcements of a new or changed event; a redelivered or repeated one changes nothing (one row per user and event). */
const MATCHED_TOPICS = new Set(['event.published', 'event.updated', 'event.status_changed']);
const LIVE_STATUSES = new Set(['PUBLISHED', 'ON_SALE']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Candidates come from indexes, not from every user: preferences naming one of the event's categories
 * (GIN), one of its words or word pairs (GIN), or users following its organisation or its creator.
 * The domain rule (matchEvent) then decides on each and says why.
 */
const CANDIDATES = `
  SELECT p."userId"::text AS "userId", p."categories", p."keywords", p."days", p."timeWindows", p."timeZone",
         p."homeLatitude", p."homeLongitude", p."maxDistanceKm", p."priceMin", p."priceMax", p."currency",
         p."channels", p."quietFrom", p."quietTo", p."dailyCap",
         (p."userId" = ANY ($3::uuid[])) AS "followsOrganization", (p."userId" = ANY ($4::uuid[])) AS "followsOwner"
  FROM "NotificationPreference" p
  WHERE (p."categories" && $1::text[] OR p."keywords" && $2::text[] OR p."userId" = ANY ($3::uuid[]) OR p."userId" = ANY ($4::uuid[]))
    AND p."userId" IS DISTINCT FROM $5::uuid`;
const FOLLOWERS = `SELECT "followerId"::text AS "id" FROM "Follow" WHERE "targetType" = $1::"FollowTarget" AND "targetId" = $2::uuid`;
const LOCK_PREFERENCES = `
  SELECT 1 FROM "NotificationPreference" WHERE "userId" = ANY ($1::uuid[]) ORDER BY "userId" FOR UPDATE`;
/** notifications sent on their own since each user's local midnight (the daily cap) */
const SENT_TODAY = `
  SELECT u."userId", (SELECT count(*)::int FROM "Notification" n
                      WHERE n."userId" = u."userId"::uuid AND n."createdAt" >= u."since" AND NOT n."inDigest") AS "sent"
  FROM jsonb_to_recordset($1::jsonb) AS u("userId" text, "since" timestamptz)`;
const INSERT = `
  INSERT INTO "Notification" ("id", "userId", "eventId", "title", "startsAt", "reasons", "inDigest", "deliverAt")
  SELECT gen_random_uuid(), u."userId"::uuid, $1::uuid, $2, $3::timestamptz, u."reasons", u."inDigest", u."deliverAt"
  FROM jsonb_to_recordset($4::jsonb) AS u("userId" text, "reasons" jsonb, "inDigest" boolean, "deliverAt" timestamptz)
  ON CONFLICT ("userId", "eventId") DO NOTHING`;

interface Candidate extends Omit<Preferences, 'timeWindows' | 'channels'> {
  userId: string;
  timeWindows: MinuteWindow[] | string;
  channels: NotificationChannel[];
  followsOrganization: boolean;
  followsOwner: boolean;
}

/** What the bus announcement says of an event, or null when it is not a live public event to notify about. */
export function eventFactsOf(
  payload: Record<string, unknown>,
  now = new Date(),
): (EventFacts & { organizationId: string | null; ownerUserId: string | null }) | null {
  const p = payload as Record<string, any>;
  if (typeof p.eventId !== 'string' || !UUID.test(p.eventId) || typeof p.title !== 'string') return null;
  if (p.visibility !== 'PUBLIC' || !LIVE_STATUSES.has(p.status) || typeof p.startsAt !== 'string') return null;
  const startsAt = new Date(p.startsAt);
  if (!(startsAt > now)) return null; // nobody is told about what has begun
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const uuid = (v: unknown) => (typeof v === 'string' && UUID.test(v) ? v : null);
  return {
    eventId: p.eventId,
    title: p.title,
    categories: Array.isArray(p.categories) ? p.categories.map(String) : [],
    tags: Array.isArray(p.tags) ? p.tags.map(String) : [],
    startsAt,
    latitude: num(p.latitude),
    longitude: num(p.longitude),
    priceMin: num(p.priceMin),
    priceMax: num(p.priceMax),
    currency: typeof p.currency === 'string' ? p.currency : null,
    organizationId: uuid(p.organizationId),
    ownerUserId: uuid(p.ownerUserId),
  };
}

/** The matches of one event: which users, why, held until when, folded or not. Returns how many rows were written. */
export async function notifyMatches(sql: SqlDatabase, event: NonNullable<ReturnType<typeof eventFactsOf>>, now = new Date()) {
  const followers = async (type: 'ORGANIZATION' | 'USER', id: string | null) =>
    id ? (await sql.query<{ id: string }>(FOLLOWERS, [type, id])).map((r) => r.id) : [];
  const [orgFollowers, ownerFollowers] = await Promise.all([
    followers('ORGANIZATION', event.organizationId),
    followers('USER', event.ownerUserId),
  ]);
  const candidates = await sql.query<Candidate>(CANDIDATES, [
    event.categories.map((c) => c.toLowerCase()),
    eventTerms(event),
    orgFollowers,
    ownerFollowers,
    event.ownerUserId,
  ]);
  const matched: { candidate: Candidate; reasons: Reason[] }[] = [];
  for (const candidate of candidates) {
    const timeWindows = typeof candidate.timeWindows === 'string' ? JSON.parse(candidate.timeWindows) : candidate.timeWindows;
    const reasons = matchEvent({ ...candidate, timeWindows }, candidate, event);
    if (reasons) matched.push({ candidate, reasons });
  }
  if (matched.length === 0) return 0;
  // each matched user's preference row stays locked while their day is counted and the new rows written, so two
  // replicas matching two events at once cannot both take a user's last place under the cap (locked in user order:
  // no deadlock between them)
  return sql.transaction(async (tx) => {
    await tx.query(LOCK_PREFERENCES, [matched.map((m) => m.candidate.userId)]);
    const sentRows = await tx.query<{ userId: string; sent: number }>(SENT_TODAY, [
      JSON.stringify(matched.map((m) => ({ userId: m.candidate.userId, since: startOfLocalDay(m.candidate.timeZone, now) }))),
    ]);
    const sent = new Map(sentRows.map((r) => [r.userId, r.sent]));
    const rows = matched.map(({ candidate, reasons }) => ({
      userId: candidate.userId,
      reasons,
      inDigest: foldsIntoDigest(sent.get(candidate.userId) ?? 0, candidate.dailyCap),
      deliverAt: deliveryTime(candidate, now),
    }));
    return tx.execute(INSERT, [event.eventId, event.title, event.startsAt, JSON.stringify(rows)]);
  });
}

/**
 * Matches new and changed public events (Layer 1, organisations', and people's public events) against
 * users' notification preferences and follows; each match becomes one Notification row, then the
 * release step announces those due now.
 */
export const matchNotifications = ({ db, sql, bus, group }: ConsumerServices<UsersDb>) =>
  bus.consume!(group('notification-matching'), 'event.*', async (busEvent) => {
    if (!MATCHED_TOPICS.has(busEvent.topic)) return;
    const event = eventFactsOf(busEvent.payload);
    if (!event) return;
    if ((await notifyMatches(sql, event)) > 0) releaseNow(db);
  });
