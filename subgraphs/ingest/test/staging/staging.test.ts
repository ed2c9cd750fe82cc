import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { mergeCanonicalEvents, moderateCanonicalEvent, splitSourceRecord } from '../../src/canonical/moderate';
import { inTransaction } from '../../src/staging/services';
import { PrismaClient, type Source } from '../../src/generated/prisma/client';
import { markMissingRemoved, stageRecords, type StageCounts } from '../../src/staging';
import { cityCalendar, normalised, parsed, venueListing } from './feeds';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

/**
 * Staging and deduplication on a real database (PGlite in memory, or with DATABASE_URL a schema of its own on the
 * PostgreSQL server; the ingest migrations applied): records of two sources land, join or start canonical events,
 * are re-fetched, removed, moderated, split and merged.
 */
const openedDatabase = testDatabase({
  name: 'ingest',
  prismaDir: join(__dirname, '..', '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
let db: PrismaClient;
let city: Source;
let venue: Source;
const services = () => ({ sql: database.sql });
const moderator = { actorId: null, actorKind: 'SERVICE' };

const stage = (source: Source, records: ReturnType<typeof cityCalendar>, runId = randomUUID()): Promise<StageCounts> =>
  stageRecords(services(), { source, runId, batch: records.map((r) => normalised(r, source.name, source.kind)), invalid: [] });

const canonicalOf = async (sourceId: string, feedId: string) =>
  (await db.sourceRecord.findFirstOrThrow({ where: { sourceId, feedId } })).canonicalEventId;

const announced = async (topic: string) =>
  (await db.outboxEvent.findMany({ where: { topic }, orderBy: { id: 'asc' } })).map((e) => e.payload as Record<string, any>);

beforeAll(async () => {
  database = openedDatabase();
  db = database.client;
  city = await db.source.create({ data: { name: 'citycal', kind: 'ICAL', trust: 'OFFICIAL', autoApproveQuality: 0 } });
  venue = await db.source.create({ data: { name: 'venue', kind: 'RSS', trust: 'STANDARD' } });
});

describe('staging two sources of the same events', () => {
  it('creates one canonical event per event of the first source, approved by its rule and published', async () => {
    const counts = await stage(city, cityCalendar());
    expect(counts).toEqual({ new: 3, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 });
    const events = await db.canonicalEvent.findMany({ include: { decisions: true } });
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(event.moderation).toBe('APPROVED');
      expect(event.decisions.map((d) => d.actorKind)).toEqual(['RULE']);
      expect(event.publishedVersion).toBe(1);
    }
    const published = await announced('ingest.public_event.upserted');
    expect(published.map((p) => p.canonicalEventId).sort()).toEqual(events.map((e) => e.id).sort());
    const jazz = published.find((p) => p.title.includes('Jazz'))!;
    expect(jazz).toMatchObject({
      version: 1,
      startsAt: '2027-03-05T19:00:00.000Z',
      endsAt: '2027-03-05T22:00:00.000Z',
      allDay: false,
      timeZone: 'Europe/Berlin',
      sourceCount: 1,
    });
    expect(Object.keys(jazz.place).sort()).toEqual(['city', 'country', 'latitude', 'longitude', 'text', 'venueName']);
  });

  it('joins the second source’s descriptions to them, with the score per field, and keeps another city apart', async () => {
    const counts = await stage(venue, venueListing());
    expect(counts).toMatchObject({ new: 3, duplicate: 2 });
    expect(await canonicalOf(venue.id, 'https://kulturbrauerei.example/jazz')).toBe(await canonicalOf(city.id, 'cal-1'));
    expect(await canonicalOf(venue.id, 'oss-2027')).toBe(await canonicalOf(city.id, 'cal-2'));
    expect(await canonicalOf(venue.id, 'slam-hh')).not.toBe(await canonicalOf(city.id, 'cal-3'));
    expect(await db.canonicalEvent.count()).toBe(4);

    const jazz = await db.canonicalEvent.findUniqueOrThrow({
      where: { id: (await canonicalOf(city.id, 'cal-1'))! },
      include: { records: true, matches: true },
    });
    expect(jazz.records).toHaveLength(2);
    const joined = jazz.matches.find((m) => m.reason !== 'NEW')!;
    expect(joined.reason).toBe('SCORE');
    expect(joined.total).toBeGreaterThanOrEqual(0.85);
    expect(joined.titleScore).toBeGreaterThan(0);
    expect(joined.timeScore).toBe(1);
    // the official source's title survives; the venue adds what the calendar lacked
    expect(jazz.title).toBe('Jazz Night at Kulturbrauerei 2027');
    expect(jazz.imageUrl).toBe('https://kulturbrauerei.example/jazz.jpg');
    const summit = await db.canonicalEvent.findUniqueOrThrow({
      where: { id: (await canonicalOf(venue.id, 'oss-2027'))! },
      include: { matches: true },
    });
    expect(summit.matches.map((m) => m.reason).sort()).toEqual(['NEW', 'URL']);
  });

  it('recognises a feed fetched again: unchanged records are only touched, changed ones update in place', async () => {
    const before = await db.sourceRecord.count();
    expect(await stage(city, cityCalendar())).toEqual({ new: 0, updated: 0, unchanged: 3, duplicate: 0, rejected: 0 });
    const changed = cityCalendar();
    changed[2] = { ...changed[2]!, title: 'Poetry Slam: Spring Final' };
    expect(await stage(city, changed)).toEqual({ new: 0, updated: 1, unchanged: 2, duplicate: 0, rejected: 0 });
    expect(await db.sourceRecord.count()).toBe(before);
    const slam = await db.canonicalEvent.findUniqueOrThrow({ where: { id: (await canonicalOf(city.id, 'cal-3'))! } });
    expect(slam.title).toBe('Poetry Slam: Spring Final');
    expect(slam.version).toBe(2);
    const versions = (await announced('ingest.public_event.upserted')).filter((p) => p.canonicalEventId === slam.id);
    expect(versions.map((p) => p.version)).toEqual([1, 2]);
  });

  it('keeps a refused record for review, with its problems', async () => {
    const refused = parsed({ feedId: 'broken', title: '', startsAt: new Date('2027-03-09T10:00:00Z') });
    const counts = await stageRecords(services(), {
      source: city,
      runId: randomUUID(),
      batch: [],
      invalid: [{ parsed: refused, problems: [{ code: 'MISSING_TITLE', reason: 'the record has no title', ref: 'broken' }] }],
    });
    expect(counts.rejected).toBe(1);
    const row = await db.sourceRecord.findFirstOrThrow({ where: { sourceId: city.id, feedId: 'broken' } });
    expect(row.state).toBe('INVALID');
    expect(row.problems).toEqual([{ code: 'MISSING_TITLE', reason: 'the record has no title', ref: 'broken' }]);
    expect(row.canonicalEventId).toBeNull();
  });
});

describe('records leaving their feeds', () => {
  it('cancels a canonical event only once no source still has it, and announces it once', async () => {
    const jazzId = (await canonicalOf(city.id, 'cal-1'))!;
    const cityRun = randomUUID();
    await stage(city, cityCalendar().slice(1), cityRun);
    const seen = new Set(
      cityCalendar()
        .slice(1)
        .map((r) => normalised(r, city.name, city.kind).externalId),
    );
    expect(await markMissingRemoved(services(), { source: city, runId: cityRun, seenExternalIds: seen })).toEqual({ removed: 2 });
    const stillListed = await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazzId } });
    expect(stillListed.cancelled).toBe(false);
    // the venue's fields survive now
    expect(stillListed.title).toBe('Kulturbrauerei: Night of Jazz');

    const venueRun = randomUUID();
    await stage(venue, venueListing().slice(1), venueRun);
    const venueSeen = new Set(
      venueListing()
        .slice(1)
        .map((r) => normalised(r, venue.name, venue.kind).externalId),
    );
    await markMissingRemoved(services(), { source: venue, runId: venueRun, seenExternalIds: venueSeen });
    const gone = await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazzId }, include: { records: true } });
    expect(gone.cancelled).toBe(true);
    expect(gone.records.map((r) => r.state)).toEqual(['REMOVED', 'REMOVED']);
    expect(gone.records.every((r) => r.removedAt)).toBe(true);
    const cancelled = (await announced('ingest.public_event.cancelled')).filter((p) => p.canonicalEventId === jazzId);
    expect(cancelled).toEqual([{ canonicalEventId: jazzId, version: gone.version }]);

    // a removal run again changes nothing more
    await markMissingRemoved(services(), { source: venue, runId: randomUUID(), seenExternalIds: venueSeen });
    expect((await announced('ingest.public_event.cancelled')).filter((p) => p.canonicalEventId === jazzId)).toHaveLength(1);
  });
});

describe('moderation', () => {
  it('publishes on approval and withdraws a published event that is rejected', async () => {
    const hamburg = (await canonicalOf(venue.id, 'slam-hh'))!;
    expect((await db.canonicalEvent.findUniqueOrThrow({ where: { id: hamburg } })).moderation).toBe('PENDING');
    await inTransaction(database.sql, (tx, announce) =>
      moderateCanonicalEvent(tx, announce, { id: hamburg, state: 'APPROVED', note: null, actor: moderator }),
    );
    const approved = await db.canonicalEvent.findUniqueOrThrow({ where: { id: hamburg } });
    expect(approved).toMatchObject({ moderation: 'APPROVED', version: 1, publishedVersion: 1 });
    expect((await announced('ingest.public_event.upserted')).some((p) => p.canonicalEventId === hamburg)).toBe(true);

    await expect(
      inTransaction(database.sql, (tx, announce) =>
        moderateCanonicalEvent(tx, announce, { id: hamburg, state: 'REJECTED', note: null, actor: moderator }),
      ),
    ).rejects.toMatchObject({ extensions: { code: 'NOTE_REQUIRED' } });
    await inTransaction(database.sql, (tx, announce) =>
      moderateCanonicalEvent(tx, announce, {
        id: hamburg,
        state: 'REJECTED',
        note: 'duplicate of a private event',
        actor: moderator,
      }),
    );
    expect(await announced('ingest.public_event.withdrawn')).toContainEqual({ canonicalEventId: hamburg, version: 2 });
    const decisions = await db.moderationDecision.findMany({ where: { canonicalEventId: hamburg }, orderBy: { id: 'asc' } });
    expect(decisions.map((d) => [d.state, d.note])).toEqual([
      ['APPROVED', null],
      ['REJECTED', 'duplicate of a private event'],
    ]);
  });

  it('splits a record out for good, and merges two events so later fetches keep them together', async () => {
    const summit = (await canonicalOf(city.id, 'cal-2'))!;
    const venueRecord = await db.sourceRecord.findFirstOrThrow({ where: { sourceId: venue.id, feedId: 'oss-2027' } });
    const splitId = await inTransaction(database.sql, (tx, announce) =>
      splitSourceRecord(tx, announce, { recordId: venueRecord.id, actor: moderator }),
    );
    expect(splitId).not.toBe(summit);
    expect(await db.matchRule.findMany({ where: { sourceId: venue.id } })).toEqual([
      expect.objectContaining({ externalId: venueRecord.externalId, canonicalEventId: summit, kind: 'FORBID' }),
    ]);
    // fetched again, changed: it stays apart
    const again = venueListing().slice(1);
    again[0] = { ...again[0]!, description: '<p>Now with a call for papers.</p>' };
    await stage(venue, again);
    expect(await canonicalOf(venue.id, 'oss-2027')).toBe(splitId);

    await inTransaction(database.sql, (tx, announce) =>
      mergeCanonicalEvents(tx, announce, { keepId: summit, mergeId: splitId, actor: moderator }),
    );
    expect(await canonicalOf(venue.id, 'oss-2027')).toBe(summit);
    expect(await db.matchRule.findMany({ where: { sourceId: venue.id } })).toEqual([
      expect.objectContaining({ externalId: venueRecord.externalId, canonicalEventId: summit, kind: 'PIN' }),
    ]);
    const merged = await db.canonicalEvent.findUniqueOrThrow({ where: { id: splitId } });
    expect(merged.moderation).toBe('REJECTED');
    await stage(venue, venueListing().slice(1));
    expect(await canonicalOf(venue.id, 'oss-2027')).toBe(summit);
  });
});
