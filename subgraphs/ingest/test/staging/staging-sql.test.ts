/**
 * The database side of staging on its own: bulk upserts, unchanged detection, placement, recomputation, removal,
 * publication and the moderator's split and merge, on a real database (PGlite, or PostgreSQL with DATABASE_URL). The matching rules are
 * stood in by exact ones (same words, same start), so what is checked here is what the SQL does with a decision;
 * staging.test.ts runs the real rules on realistic records.
 */
jest.mock(
  '../../src/domain/dedup',
  () => {
    const words = (title: string) => title.toLowerCase().split(/\s+/).sort().join(' ');
    return {
      TRUST_LEVELS: { UNVERIFIED: 25, STANDARD: 50, TRUSTED: 75, OFFICIAL: 100 },
      dedupSettingsFromEnv: () => ({ weights: { title: 0.4, time: 0.3, location: 0.3 }, threshold: 0.85 }),
      blockingFor: (r: NormalisedRecord) => ({
        from: new Date(r.startsAt.getTime() - 36 * 3600_000),
        to: new Date(r.startsAt.getTime() + 36 * 3600_000),
        cells: r.place.cell ? [r.place.cell] : [],
      }),
      chooseCanonical: (
        r: NormalisedRecord,
        candidates: { id: string; title: string; startsAt: Date }[],
        _settings: unknown,
        decisions: { forbidden: Set<string>; pinned: string | null },
      ) => {
        if (decisions.pinned)
          return { canonicalId: decisions.pinned, explanation: { reason: 'PINNED', total: 1, title: 1, time: 1, location: 1 } };
        const same = candidates.find(
          (c) =>
            !decisions.forbidden.has(c.id) && words(c.title) === words(r.title) && c.startsAt.getTime() === r.startsAt.getTime(),
        );
        return same
          ? { canonicalId: same.id, explanation: { reason: 'SCORE', total: 0.9, title: 0.8, time: 1, location: 0.9 } }
          : null;
      },
      surviveFields: (members: { record: NormalisedRecord; trust: number }[]) => {
        const { record } = [...members].sort((a, b) => b.trust - a.trust)[0]!;
        return { ...record };
      },
      qualityScore: () => ({ score: 0.8, signals: [] }),
      moderationOnArrival: ({ quality, autoApprove }: { quality: number; autoApprove: { minQuality: number } | null }) =>
        autoApprove && quality >= autoApprove.minQuality ? 'APPROVED' : 'PENDING',
    };
  },
  { virtual: true },
);

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@eventgraph/runtime';
import { mergeCanonicalEvents, moderateCanonicalEvent, splitSourceRecord } from '../../src/canonical/moderate';
import type { NormalisedRecord } from '../../src/domain/records';
import { PrismaClient, type Source } from '../../src/generated/prisma/client';
import { markMissingRemoved, stageRecords } from '../../src/staging';
import { inTransaction } from '../../src/staging/services';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

const openedDatabase = testDatabase({
  name: 'ingest',
  prismaDir: join(__dirname, '..', '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
let db: PrismaClient;
let trusted: Source;
let other: Source;
const moderator = { actorId: null, actorKind: 'SERVICE' };

const record = (externalId: string, title: string, startsAt: string, over: Partial<NormalisedRecord> = {}): NormalisedRecord => ({
  externalId,
  feedId: externalId,
  title,
  description: '',
  startsAt: new Date(startsAt),
  endsAt: null,
  allDay: false,
  timeZone: 'Europe/Berlin',
  place: {
    text: 'Berlin',
    venueId: null,
    venueName: null,
    city: 'Berlin',
    country: 'DE',
    latitude: 52.52,
    longitude: 13.4,
    confidence: 0.8,
    cell: 'u33d',
  },
  url: null,
  imageUrl: null,
  categories: [{ slug: 'music', confidence: 0.9 }],
  cancelled: false,
  contentHash: `${title}|${startsAt}|${over.description ?? ''}`,
  raw: { title, startsAt },
  ...over,
});

const stage = (source: Source, batch: NormalisedRecord[], runId = randomUUID()) =>
  stageRecords({ sql: database.sql }, { source, runId, batch, invalid: [] });
const canonicalOf = async (sourceId: string, externalId: string) =>
  (await db.sourceRecord.findUniqueOrThrow({ where: { sourceId_externalId: { sourceId, externalId } } })).canonicalEventId!;
const topics = async () =>
  (await db.outboxEvent.findMany({ orderBy: { id: 'asc' } })).map((e) => [e.topic, (e.payload as any).version]);

beforeAll(async () => {
  database = openedDatabase();
  db = database.client;
  trusted = await db.source.create({ data: { name: 'trusted', kind: 'ICAL', trust: 'TRUSTED', autoApproveQuality: 0.5 } });
  other = await db.source.create({ data: { name: 'other', kind: 'RSS' } });
});

it('stages, places and publishes in bulk; a repeat is only touched', async () => {
  const run = randomUUID();
  expect(
    await stage(
      trusted,
      [record('t1', 'Jazz Night', '2027-01-01T19:00:00Z'), record('t2', 'Rock Show', '2027-01-02T19:00:00Z')],
      run,
    ),
  ).toEqual({ new: 2, updated: 0, unchanged: 0, duplicate: 0, rejected: 0 });
  expect(await stage(other, [record('o1', 'Night Jazz', '2027-01-01T19:00:00Z')])).toEqual({
    new: 1,
    updated: 0,
    unchanged: 0,
    duplicate: 1,
    rejected: 0,
  });
  const jazz = await canonicalOf(trusted.id, 't1');
  expect(await canonicalOf(other.id, 'o1')).toBe(jazz);
  const event = await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazz }, include: { matches: true, decisions: true } });
  expect(event).toMatchObject({ title: 'Jazz Night', moderation: 'APPROVED', sourceCount: 2, version: 2, publishedVersion: 2 });
  expect(event.matches.map((m) => [m.reason, m.total, m.titleScore])).toEqual([
    ['NEW', 1, 1],
    ['SCORE', 0.9, 0.8],
  ]);
  expect(event.decisions.map((d) => [d.state, d.actorKind])).toEqual([['APPROVED', 'RULE']]);
  // published on arrival, then again when a second source joined (its sourceCount changed)
  expect(await topics()).toEqual([
    ['ingest.public_event.upserted', 1],
    ['ingest.public_event.upserted', 1],
    ['ingest.public_event.upserted', 2],
  ]);

  const rows = await db.sourceRecord.count();
  expect(await stage(trusted, [record('t1', 'Jazz Night', '2027-01-01T19:00:00Z')])).toEqual({
    new: 0,
    updated: 0,
    unchanged: 1,
    duplicate: 0,
    rejected: 0,
  });
  expect(await db.sourceRecord.count()).toBe(rows);
  expect(await topics()).toHaveLength(3);
});

it('marks what left the feed removed and cancels an event no source has any more, once', async () => {
  const rock = await canonicalOf(trusted.id, 't2');
  const run = randomUUID();
  await stage(trusted, [record('t1', 'Jazz Night', '2027-01-01T19:00:00Z')], run);
  expect(
    await markMissingRemoved({ sql: database.sql }, { source: trusted, runId: run, seenExternalIds: new Set(['t1']) }),
  ).toEqual({
    removed: 1,
  });
  expect(await db.canonicalEvent.findUniqueOrThrow({ where: { id: rock } })).toMatchObject({ cancelled: true, version: 2 });
  expect((await topics()).at(-1)).toEqual(['ingest.public_event.cancelled', 2]);
  expect(
    await markMissingRemoved({ sql: database.sql }, { source: trusted, runId: run, seenExternalIds: new Set(['t1']) }),
  ).toEqual({
    removed: 0,
  });
  // back in the feed: public again, same canonical event
  await stage(trusted, [record('t2', 'Rock Show', '2027-01-02T19:00:00Z')]);
  expect(await canonicalOf(trusted.id, 't2')).toBe(rock);
  expect(await db.canonicalEvent.findUniqueOrThrow({ where: { id: rock } })).toMatchObject({ cancelled: false, version: 3 });
});

it('splits for good and merges with a pin; a merged public event is withdrawn', async () => {
  const jazz = await canonicalOf(trusted.id, 't1');
  const joined = await db.sourceRecord.findUniqueOrThrow({
    where: { sourceId_externalId: { sourceId: other.id, externalId: 'o1' } },
  });
  const apart = await inTransaction(database.sql, (tx, announce) =>
    splitSourceRecord(tx, announce, { recordId: joined.id, actor: moderator }),
  );
  expect(await db.matchRule.findMany({ where: { sourceId: other.id } })).toMatchObject([
    { canonicalEventId: jazz, kind: 'FORBID' },
  ]);
  expect(await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazz } })).toMatchObject({ sourceCount: 1 });
  await stage(other, [record('o1', 'Night Jazz', '2027-01-01T19:00:00Z', { description: 'changed' })]);
  expect(await canonicalOf(other.id, 'o1')).toBe(apart);

  await inTransaction(database.sql, (tx, announce) =>
    moderateCanonicalEvent(tx, announce, { id: apart, state: 'APPROVED', note: null, actor: moderator }),
  );
  await inTransaction(database.sql, (tx, announce) =>
    mergeCanonicalEvents(tx, announce, { keepId: jazz, mergeId: apart, actor: moderator }),
  );
  expect(await canonicalOf(other.id, 'o1')).toBe(jazz);
  expect(await db.matchRule.findMany({ where: { sourceId: other.id } })).toMatchObject([{ canonicalEventId: jazz, kind: 'PIN' }]);
  expect(await db.canonicalEvent.findUniqueOrThrow({ where: { id: apart } })).toMatchObject({ moderation: 'REJECTED' });
  expect((await topics()).at(-1)).toEqual(['ingest.public_event.withdrawn', 2]);
  await expect(
    inTransaction(database.sql, (tx, announce) =>
      mergeCanonicalEvents(tx, announce, { keepId: jazz, mergeId: jazz, actor: moderator }),
    ),
  ).rejects.toMatchObject({ extensions: { code: 'SAME_CANONICAL_EVENT' } });
});

it('keeps a scrubbed raw while the feed repeats the record, and makes it due again when the record changes', async () => {
  const rowOf = () =>
    db.sourceRecord.findUniqueOrThrow({ where: { sourceId_externalId: { sourceId: other.id, externalId: 'c1' } } });
  await stage(other, [record('c1', 'Choir', '2027-02-01T19:00:00Z')]);
  // as the retention policy ingest.raw-contacts leaves it
  await db.sourceRecord.update({
    where: { id: (await rowOf()).id },
    data: { raw: { title: 'Choir' }, rawScrubbedAt: new Date() },
  });

  await stage(other, [record('c1', 'Choir', '2027-02-01T19:00:00Z')]);
  expect(await rowOf()).toMatchObject({ raw: { title: 'Choir' }, rawScrubbedAt: expect.any(Date) });

  await stage(other, [record('c1', 'Choir', '2027-02-01T19:00:00Z', { description: 'new', contentHash: 'changed' })]);
  expect(await rowOf()).toMatchObject({ raw: { title: 'Choir', startsAt: '2027-02-01T19:00:00Z' }, rawScrubbedAt: null });
});
