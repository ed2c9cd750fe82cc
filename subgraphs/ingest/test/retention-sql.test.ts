import { join } from 'node:path';
import { runRetentionPolicy, type Database } from '@eventgraph/runtime';
import { parseFeed } from '../src/domain/parse';
import { ingestRetention } from '../src/domain/retention';
import { PrismaClient } from '../src/generated/prisma/client';
import { ingestRetentionPolicies } from '../src/privacy/retention';
import { feed, wide } from './parse/fixture-files';
import { testDatabase } from '@eventgraph/runtime/test/support/test-database';

/**
 * The ingest retention policies on a real database (PGlite, or PostgreSQL with DATABASE_URL): staging records a
 * feed dropped or refused go after the period with their placement explanations, carried ones stay; old fetch
 * runs go with their refused records, but each source keeps its latest run; contact data leaves the raw content of
 * records whose event ended six months ago (real feeds: parserv2.ics, TestDataEventFeedSample1.xml).
 */
const openedDatabase = testDatabase({
  name: 'ingest',
  prismaDir: join(__dirname, '..', 'prisma'),
  createClient: (adapter) => new PrismaClient({ adapter }),
});
let database: Database<PrismaClient>;
let db: PrismaClient;
const now = new Date('2027-05-01T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const policies = ingestRetentionPolicies(ingestRetention({}));
const run = (name: string, batchSize = 2) =>
  runRetentionPolicy(
    database.sql,
    'ingest',
    policies.find((p) => p.name === name)!,
    batchSize,
    now,
  );

beforeAll(async () => {
  database = openedDatabase();
  db = database.client;
});

it('deletes dropped and refused staging records after 30 days, with their placement, and keeps carried ones', async () => {
  const source = await db.source.create({ data: { name: 'feed', kind: 'ICAL', url: 'https://example.org/a.ics' } });
  const canonical = await db.canonicalEvent.create({
    data: { title: 'Jazz', startsAt: now, moderation: 'APPROVED' },
  });
  const record = (
    externalId: string,
    state: 'ACTIVE' | 'REMOVED' | 'INVALID',
    lastSeenDaysAgo: number,
    removedDaysAgo?: number,
  ) =>
    db.sourceRecord.create({
      data: {
        sourceId: source.id,
        externalId,
        state,
        raw: {},
        canonicalEventId: canonical.id,
        lastSeenAt: daysAgo(lastSeenDaysAgo),
        removedAt: removedDaysAgo === undefined ? null : daysAgo(removedDaysAgo),
      },
    });
  const carried = await record('carried', 'ACTIVE', 400);
  const removedLongAgo = await record('removed-old', 'REMOVED', 50, 40);
  const removedLately = await record('removed-new', 'REMOVED', 50, 10);
  const invalidOld = await record('invalid-old', 'INVALID', 31);
  await record('invalid-new', 'INVALID', 29);
  for (const i of [1, 2]) await record(`invalid-${i}`, 'INVALID', 60);
  for (const r of [carried, removedLongAgo, removedLately, invalidOld])
    await db.duplicateMatch.create({
      data: {
        canonicalEventId: canonical.id,
        recordId: r.id,
        reason: 'NEW',
        total: 1,
        titleScore: 1,
        timeScore: 1,
        locationScore: 1,
      },
    });

  const summary = await run('ingest.staging');
  expect(summary).toMatchObject({ subgraph: 'ingest', policy: 'ingest.staging', deleted: 4, anonymised: 0, error: null });
  // batches of two: 2 + 2, then one that finds none
  expect(summary.batches).toBe(3);
  const left = (await db.sourceRecord.findMany({ orderBy: { externalId: 'asc' } })).map((r) => r.externalId);
  expect(left).toEqual(['carried', 'invalid-new', 'removed-new']);
  const matches = (await db.duplicateMatch.findMany()).map((m) => m.recordId).sort();
  expect(matches).toEqual([carried.id, removedLately.id].sort());
  // a second run finds nothing more
  expect((await run('ingest.staging')).deleted).toBe(0);
});

it('deletes fetch runs after 90 days with their refused records, keeping each source its latest run', async () => {
  const busy = await db.source.create({ data: { name: 'busy', kind: 'RSS', url: 'https://example.org/b.rss' } });
  const quiet = await db.source.create({ data: { name: 'quiet', kind: 'RSS', url: 'https://example.org/c.rss' } });
  const fetchRun = (sourceId: string, finishedDaysAgo: number) =>
    db.fetchRun.create({
      data: {
        sourceId,
        status: 'SUCCEEDED',
        startedAt: daysAgo(finishedDaysAgo),
        finishedAt: daysAgo(finishedDaysAgo),
        errors: { create: [{ code: 'MISSING_TITLE', reason: 'no title' }] },
      },
    });
  const old1 = await fetchRun(busy.id, 200);
  const old2 = await fetchRun(busy.id, 120);
  const recent = await fetchRun(busy.id, 5);
  const onlyRun = await fetchRun(quiet.id, 300);

  const summary = await run('ingest.fetch-runs', 500);
  expect(summary).toMatchObject({ deleted: 2, batches: 1, error: null });
  const left = (await db.fetchRun.findMany()).map((r) => r.id).sort();
  expect(left).toEqual([recent.id, onlyRun.id].sort());
  const errorsLeft = (await db.fetchRunError.findMany()).map((e) => e.runId).sort();
  expect(errorsLeft).toEqual([recent.id, onlyRun.id].sort());
  expect(left).not.toContain(old1.id);
  expect(left).not.toContain(old2.id);
});

it('takes contact data out of raw content 183 days after the event ended, once, and again after a fetch rewrote it', async () => {
  await db.sourceRecord.updateMany({ data: { rawScrubbedAt: now } }); // the records of the tests above are not this one's
  const source = await db.source.create({ data: { name: 'calendar', kind: 'ICAL', url: 'https://example.org/d.ics' } });
  const [withOrganizer] = parseFeed('ICAL', feed('ical/parserv2.ics'), { horizon: wide }).records.filter((r) =>
    JSON.stringify(r.raw).includes('mailto:x@bar.com'),
  );
  const [gdata] = parseFeed('RSS', feed('rss/TestDataEventFeedSample1.xml'), { horizon: wide }).records.filter((r) =>
    JSON.stringify(r.raw).includes('gdata.ops.demo@gmail.com'),
  );
  const record = (externalId: string, raw: unknown, times: { endsAt?: Date | null; startsAt?: Date | null; lastSeenAt?: Date }) =>
    db.sourceRecord.create({ data: { sourceId: source.id, externalId, raw: raw as object, ...times } });
  const ended = await record('ended', withOrganizer!.raw, { startsAt: daysAgo(201), endsAt: daysAgo(200) });
  const startOnly = await record('start-only', gdata!.raw, { startsAt: daysAgo(190), endsAt: null });
  const undated = await record('undated', { description: 'Call +49 30 1234567', id: 'x' }, { lastSeenAt: daysAgo(300) });
  const recent = await record('recent', withOrganizer!.raw, { startsAt: daysAgo(101), endsAt: daysAgo(100) });
  const rawOf = async (id: string) => JSON.stringify((await db.sourceRecord.findUniqueOrThrow({ where: { id } })).raw);

  const summary = await run('ingest.raw-contacts', 2);
  expect(summary).toMatchObject({ policy: 'ingest.raw-contacts', anonymised: 3, deleted: 0, batches: 2, error: null });
  expect(await rawOf(ended.id)).not.toMatch(/x@bar\.com|foobar|"organizer"/);
  expect(await rawOf(ended.id)).toContain('"dtstart"');
  expect(await rawOf(startOnly.id)).not.toMatch(/gdata\.ops\.demo@gmail\.com|GData Ops Demo/);
  expect(JSON.parse(await rawOf(undated.id))).toEqual({ description: expect.stringMatching(/^Call\s*$/), id: 'x' });
  expect(await rawOf(recent.id)).toContain('mailto:x@bar.com');
  const scrubbedAt = (await db.sourceRecord.findUniqueOrThrow({ where: { id: ended.id } })).rawScrubbedAt;
  expect(scrubbedAt).toBeInstanceOf(Date);

  // done once: a second run reads none of them again
  expect(await run('ingest.raw-contacts', 2)).toMatchObject({ anonymised: 0, batches: 1 });
  // a fetch that writes the record's raw again (staging clears rawScrubbedAt) makes it due again
  await db.sourceRecord.update({ where: { id: ended.id }, data: { raw: withOrganizer!.raw as object, rawScrubbedAt: null } });
  expect(await run('ingest.raw-contacts', 2)).toMatchObject({ anonymised: 1 });
  expect(await rawOf(ended.id)).not.toContain('x@bar.com');
});
