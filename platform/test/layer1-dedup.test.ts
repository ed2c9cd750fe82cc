import { randomUUID } from 'node:crypto';
import { sqlOf, type BusEvent, type SqlDatabase } from '@eventgraph/runtime';
import type { IngestDb } from '@eventgraph/subgraph-ingest/src/context';
import type { Source } from '@eventgraph/subgraph-ingest/src/generated/prisma/client';
import { markMissingRemoved, stageRecords } from '@eventgraph/subgraph-ingest/src/staging';
import { cityCalendar, normalised, venueListing } from '@eventgraph/subgraph-ingest/test/staging/feeds';
import { as, signUp, type Account } from './support/accounts';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * Layer 1 deduplication end to end: two sources describe the same nights differently; staging merges them into
 * canonical events (explained per field), moderators see and change them through the gateway, and what is
 * approved reaches the events subgraph over the bus as public events with their provenance.
 */
let platform: TestPlatform;
let db: IngestDb;
let city: Source;
let venue: Source;
let reader: Account;
const heard: BusEvent[] = [];
const tag = Math.random().toString(36).slice(2, 8);

/** staging runs in ingest's workers; here it runs on the ingest database of the running platform */
function sqlDatabaseOf(client: IngestDb): SqlDatabase {
  return {
    ...sqlOf(client),
    transaction: (fn) =>
      client.$transaction(
        async (tx) => {
          const atCommit: string[] = [];
          const result = await fn({ ...sqlOf(tx), atCommit: (statement) => void atCommit.push(statement) });
          for (const statement of atCommit) await tx.$executeRawUnsafe(statement);
          return result;
        },
        { timeout: 30_000 },
      ),
  };
}

const stage = (source: Source, records: ReturnType<typeof cityCalendar>, runId = randomUUID()) =>
  stageRecords(
    { sql: sqlDatabaseOf(db) },
    { source, runId, batch: records.map((r) => normalised(r, source.name, source.kind)), invalid: [] },
  );

async function removeMissing(source: Source, records: ReturnType<typeof cityCalendar>) {
  const runId = randomUUID();
  await stage(source, records, runId);
  const seenExternalIds = new Set(records.map((r) => normalised(r, source.name, source.kind).externalId));
  return markMissingRemoved({ sql: sqlDatabaseOf(db) }, { source, runId, seenExternalIds });
}

const canonicalOf = async (sourceId: string, feedId: string) =>
  (await db.sourceRecord.findFirstOrThrow({ where: { sourceId, feedId } })).canonicalEventId!;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 8000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

const heardFor = (topic: string, canonicalEventId: string) =>
  heard.filter((e) => e.topic === topic && e.payload.canonicalEventId === canonicalEventId);

const CANONICAL = `query($id: ID!) { canonicalEvent(id: $id) {
  id title moderation version publishedVersion sourceCount cancelled quality { score signals }
  records { feedId externalId state source { id name } raw title }
  matches { reason total title time location record { feedId } }
  decisions { state note actorKind }
} }`;
const EVENT = `query($id: ID!) { event(id: $id) { id title sources { name } sourceRecords { feedId externalId source { name } raw } } }`;

beforeAll(async () => {
  platform = await startTestPlatform();
  db = platform.subgraphs.ingest!.db as IngestDb;
  platform.bus.subscribe('ingest.public_event.*', (event) => void heard.push(event));
  city = await db.source.create({ data: { name: `city${tag}`, kind: 'ICAL', trust: 'OFFICIAL', autoApproveQuality: 0 } });
  venue = await db.source.create({ data: { name: `venue${tag}`, kind: 'RSS', trust: 'STANDARD' } });
  reader = await signUp(platform, 'reader');
}, 120_000);

afterAll(() => platform?.stop());

describe('Layer 1: two sources, one canonical event each', () => {
  it('merges the second source’s descriptions into the first’s events, explained per field', async () => {
    expect(await stage(city, cityCalendar())).toMatchObject({ new: 3, duplicate: 0 });
    expect(await stage(venue, venueListing())).toMatchObject({ new: 3, duplicate: 2 });

    const jazz = await canonicalOf(city.id, 'cal-1');
    expect(await canonicalOf(venue.id, 'https://kulturbrauerei.example/jazz')).toBe(jazz);
    expect(await canonicalOf(venue.id, 'slam-hh')).not.toBe(await canonicalOf(city.id, 'cal-3'));

    const { canonicalEvent } = await platform.data(CANONICAL, { id: jazz });
    expect(canonicalEvent.records.map((r: any) => r.source.name).sort()).toEqual([`city${tag}`, `venue${tag}`]);
    expect(canonicalEvent.records.find((r: any) => r.feedId === 'cal-1').raw).toMatchObject({
      title: 'Jazz Night at Kulturbrauerei 2027',
    });
    const scored = canonicalEvent.matches.find((m: any) => m.record.feedId === 'https://kulturbrauerei.example/jazz');
    expect(scored).toMatchObject({ reason: 'SCORE', time: 1 });
    expect(scored.total).toBeGreaterThanOrEqual(0.85);
    // published on arrival (one source), again when the second source joined
    expect(canonicalEvent).toMatchObject({ moderation: 'APPROVED', version: 2, publishedVersion: 2, sourceCount: 2 });
    expect(canonicalEvent.decisions).toEqual([{ state: 'APPROVED', note: expect.any(String), actorKind: 'RULE' }]);
  });

  it('publishes approved events to the events subgraph, with their provenance', async () => {
    const jazz = await canonicalOf(city.id, 'cal-1');
    await until(
      async () => heardFor('ingest.public_event.upserted', jazz),
      (found) => found.length > 0,
    );
    expect(heardFor('ingest.public_event.upserted', jazz)[0]!.payload).toMatchObject({ canonicalEventId: jazz, version: 1 });
    const read = await until(
      () => platform.request(EVENT, { id: jazz }, { token: null }),
      (r) => r.body.data?.event != null,
    );
    const event = (read.body.data as any).event;
    expect(event.title).toBe('Jazz Night at Kulturbrauerei 2027');
    expect(event.sources.map((s: any) => s.name).sort()).toEqual([`city${tag}`, `venue${tag}`]);
    expect(event.sourceRecords.map((r: any) => r.feedId).sort()).toEqual(['cal-1', 'https://kulturbrauerei.example/jazz']);
  });

  it('recognises a re-fetch: nothing new, nothing duplicated, nothing announced', async () => {
    // what the earlier stagings announced may still be on its way (the relay, NATS): count from a quiet bus
    for (let before = -1; before !== heard.length;) {
      before = heard.length;
      await new Promise((r) => setTimeout(r, 700));
    }
    const records = await db.sourceRecord.count();
    const events = await db.canonicalEvent.count();
    const announcements = heard.length;
    expect(await stage(city, cityCalendar())).toEqual({ new: 0, updated: 0, unchanged: 3, duplicate: 0, rejected: 0 });
    expect(await stage(venue, venueListing())).toEqual({ new: 0, updated: 0, unchanged: 3, duplicate: 0, rejected: 0 });
    expect([await db.sourceRecord.count(), await db.canonicalEvent.count()]).toEqual([records, events]);
    await new Promise((r) => setTimeout(r, 700));
    expect(heard.length).toBe(announcements);
  });
});

describe('Layer 1 moderation through the gateway', () => {
  it('is for platform staff only', async () => {
    const refused = await as(platform, reader)(`query { canonicalEvents { totalCount } }`);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const queue = await platform.data(`query { canonicalEvents(moderation: PENDING, first: 1) {
      totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`);
    expect(queue.canonicalEvents.totalCount).toBeGreaterThanOrEqual(1);
    expect(queue.canonicalEvents.edges).toHaveLength(1);
  });

  it('publishes on approval', async () => {
    const hamburg = await canonicalOf(venue.id, 'slam-hh');
    const approved = await platform.data(
      `mutation($id: ID!) { moderateCanonicalEvent(id: $id, state: APPROVED, note: "checked") { moderation version decisions { state note actorKind } } }`,
      { id: hamburg },
    );
    expect(approved.moderateCanonicalEvent).toMatchObject({ moderation: 'APPROVED', version: 1 });
    expect(approved.moderateCanonicalEvent.decisions.at(-1)).toEqual({
      state: 'APPROVED',
      note: 'checked',
      actorKind: 'SERVICE',
    });
    const published = await until(
      async () => heardFor('ingest.public_event.upserted', hamburg),
      (found) => found.length > 0,
    );
    expect(published[0]!.payload).toMatchObject({ title: 'Poetry Slam', version: 1, sourceCount: 1 });
    const shown = await until(
      () => platform.request(`query($id: ID!) { event(id: $id) { title } }`, { id: hamburg }, { token: null }),
      (r) => (r.body.data as any)?.event != null,
    );
    expect(shown.body.data).toEqual({ event: { title: 'Poetry Slam' } });
    const again = await platform.request(`mutation($id: ID!) { moderateCanonicalEvent(id: $id, state: APPROVED) { id } }`, {
      id: hamburg,
    });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NO_CHANGE');
  });

  it('splits a record out; a later fetch respects it', async () => {
    const summit = await canonicalOf(city.id, 'cal-2');
    const record = await db.sourceRecord.findFirstOrThrow({ where: { sourceId: venue.id, feedId: 'oss-2027' } });
    const split = await platform.data(
      `mutation($r: ID!) { splitSourceRecord(recordId: $r) { id records { feedId } matches { reason } } }`,
      {
        r: record.id,
      },
    );
    expect(split.splitSourceRecord.id).not.toBe(summit);
    expect(split.splitSourceRecord.records).toEqual([{ feedId: 'oss-2027' }]);
    const changed = venueListing();
    changed[1] = { ...changed[1]!, description: '<p>Call for papers open.</p>' };
    expect(await stage(venue, changed)).toMatchObject({ updated: 1, duplicate: 0 });
    expect(await canonicalOf(venue.id, 'oss-2027')).toBe(split.splitSourceRecord.id);
    const last = await platform.request(`mutation($r: ID!) { splitSourceRecord(recordId: $r) { id } }`, { r: record.id });
    expect(last.body.errors?.[0]?.extensions?.code).toBe('LAST_RECORD');
  });

  it('merges two events, withdrawing the merged one if it was public; a later fetch keeps them together', async () => {
    const berlinSlam = await canonicalOf(city.id, 'cal-3');
    const hamburgSlam = await canonicalOf(venue.id, 'slam-hh');
    const merged = await platform.data(
      `mutation($k: ID!, $m: ID!) { mergeCanonicalEvents(keepId: $k, mergeId: $m) { id records { feedId } } }`,
      { k: berlinSlam, m: hamburgSlam },
    );
    expect(merged.mergeCanonicalEvents.records.map((r: any) => r.feedId).sort()).toEqual(['cal-3', 'slam-hh']);
    const withdrawn = await until(
      async () => heardFor('ingest.public_event.withdrawn', hamburgSlam),
      (found) => found.length > 0,
    );
    expect(withdrawn[0]!.payload).toEqual({ canonicalEventId: hamburgSlam, version: 2 });
    // gone from public reads
    const hidden = await until(
      () => platform.request(`query($id: ID!) { event(id: $id) { id } }`, { id: hamburgSlam }, { token: null }),
      (r) => r.body.data?.event === null,
    );
    expect(hidden.body.data).toEqual({ event: null });
    await stage(venue, venueListing());
    expect(await canonicalOf(venue.id, 'slam-hh')).toBe(berlinSlam);
  });

  it('cancels an event once no source lists it any more, and tells events once', async () => {
    const jazz = await canonicalOf(city.id, 'cal-1');
    expect(await removeMissing(city, cityCalendar().slice(1))).toEqual({ removed: 1 });
    expect((await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazz } })).cancelled).toBe(false);
    expect(await removeMissing(venue, venueListing().slice(1))).toEqual({ removed: 1 });
    const cancelled = await until(
      async () => heardFor('ingest.public_event.cancelled', jazz),
      (found) => found.length > 0,
    );
    expect(cancelled.map((e) => e.payload)).toEqual([
      { canonicalEventId: jazz, version: (await db.canonicalEvent.findUniqueOrThrow({ where: { id: jazz } })).version },
    ]);
    const shown = await until(
      () => platform.request(`query($id: ID!) { event(id: $id) { status } }`, { id: jazz }, { token: null }),
      (r) => (r.body.data as any)?.event?.status === 'CANCELLED',
    );
    expect(shown.body.data).toEqual({ event: { status: 'CANCELLED' } });
    expect(await removeMissing(venue, venueListing().slice(1))).toEqual({ removed: 0 });
    await new Promise((r) => setTimeout(r, 700));
    expect(heardFor('ingest.public_event.cancelled', jazz)).toHaveLength(1);
  });
});
