import { ANONYMOUS } from '@eventgraph/runtime';
import { checkSearch, EXACT_COUNT_LIMIT, type SearchFilterInput } from '@eventgraph/subgraph-events/src/domain/search';
import { placeKeys, timeKeys } from '@eventgraph/subgraph-events/src/domain/search-keys';
import { Prisma } from '@eventgraph/subgraph-events/src/generated/prisma/client';
import { searchPageSql } from '@eventgraph/subgraph-events/src/search-sql';
import { startTestPlatform, type TestPlatform } from './support/test-platform';

/**
 * The search keys (place cells and days in the search document, see subgraphs/events/src/domain/search-keys.ts)
 * change how matches are found, never which: every filter here finds the same events with them as with the plain
 * radius and range alone, on events placed where keys are easy to get wrong (cell edges, circle edges, UTC
 * midnights, long and zero-length events, the antimeridian, a pole). Then totalCount: exact up to
 * EXACT_COUNT_LIMIT matches, the planner's estimate (flagged) above.
 */
type Db = {
  $queryRaw<T>(query: Prisma.Sql): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
};

let platform: TestPlatform;
let db: Db;
const tag = Math.random().toString(36).slice(2, 8);
const COLOGNE = { latitude: 50.937, longitude: 6.96 };
const DAY = 86_400_000;

interface Row {
  title: string;
  startsAt: string;
  endsAt: string;
  latitude: number | null;
  longitude: number | null;
}

/** Published public user events with coordinates of their own, straight into the events database. */
async function insert(rows: Row[]): Promise<void> {
  await db.$executeRawUnsafe(
    `INSERT INTO "Event" ("id", "ownerUserId", "timeZone", "origin", "visibility", "status", "title", "slug", "startsAt", "endsAt", "latitude", "longitude", "updatedAt")
     SELECT gen_random_uuid(), '00000000-0000-4000-8000-00000000000a'::uuid, 'UTC', 'USER', 'PUBLIC', 'PUBLISHED', r."title",
            gen_random_uuid()::text, r."startsAt"::timestamptz, r."endsAt"::timestamptz, r."latitude", r."longitude", now()
     FROM json_to_recordset($1::json) AS r("title" text, "startsAt" text, "endsAt" text, "latitude" float8, "longitude" float8)`,
    JSON.stringify(rows),
  );
}

/** A point `km` from `from` in the direction `bearing` (radians) on the sphere. */
function pointAt(from: { latitude: number; longitude: number }, km: number, bearing: number) {
  const d = km / 6371.0088;
  const lat1 = (from.latitude * Math.PI) / 180;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(bearing));
  const lng2 =
    (from.longitude * Math.PI) / 180 +
    Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { latitude: (lat2 * 180) / Math.PI, longitude: (((lng2 * 180) / Math.PI + 540) % 360) - 180 };
}

function places(): { latitude: number; longitude: number }[] {
  const out = [];
  for (const km of [2, 8, 25, 80])
    for (let b = 0; b < 24; b++)
      for (const f of [0.97, 0.999, 1.001, 1.03]) out.push(pointAt(COLOGNE, km * f, (b * Math.PI) / 12 + km));
  // on and beside cell edges of every level
  for (const lat of [50.9, 51, 50.93333333333333, 50.96666666666667, 50.94, 50.93])
    for (const lng of [6.9, 7, 6.966666666666667, 6.96, 6.97])
      out.push({ latitude: lat, longitude: lng }, { latitude: lat - 1e-12, longitude: lng - 1e-12 });
  for (const lng of [179.99, -179.99, 179.9, 180, -180]) out.push({ latitude: 0.01, longitude: lng });
  out.push({ latitude: 89.95, longitude: 10 }, { latitude: 89.99, longitude: -170 });
  return out;
}

function times(n: number): { startsAt: string; endsAt: string } {
  const at = (ms: number) => new Date(ms).toISOString();
  const start = Date.UTC(2027, 3, 4) + ((n * 7) % 45) * DAY - 20 * DAY + [0, 1, -1, 13 * 3_600_000][n % 4]!;
  const length = [0, 3_600_000, DAY, 40 * DAY, 3 * 365 * DAY, 7 * 365 * DAY, 1][n % 7]!;
  return { startsAt: at(start), endsAt: at(start + length) };
}

beforeAll(async () => {
  platform = await startTestPlatform();
  db = platform.subgraphs.events!.db as unknown as Db;
  await insert(places().map((p, n) => ({ title: n % 2 ? `Rock night ${tag}` : `Folk day ${tag}`, ...times(n), ...p })));
  await insert([
    {
      title: `Nowhere ${tag}`,
      startsAt: '2027-04-10T10:00:00Z',
      endsAt: '2027-04-10T11:00:00Z',
      latitude: null,
      longitude: null,
    },
  ]);
}, 150_000);
afterAll(() => platform?.stop());

const ranges: Pick<SearchFilterInput, 'from' | 'to'>[] = [
  {},
  { from: new Date('2027-04-04T00:00:00Z'), to: new Date('2027-05-04T00:00:00Z') },
  { from: new Date('2027-04-04T00:00:00Z'), to: new Date('2027-04-04T00:00:00.001Z') },
  { from: new Date('2027-04-03T23:59:59.999Z'), to: new Date('2027-04-05T00:00:00Z') },
  { from: new Date('2027-03-20T13:00:00Z'), to: new Date('2027-06-02T00:00:00Z') },
  { from: new Date('2027-04-04T00:00:00Z') },
  { from: new Date('2021-01-01T00:00:00Z'), to: new Date('2033-01-01T00:00:00Z') },
];
const circles = [
  ...[2, 8, 25, 80, 300].map((radiusKm) => ({ ...COLOGNE, radiusKm })),
  { latitude: 50.9, longitude: 7, radiusKm: 3 },
  { latitude: 0, longitude: 179.9, radiusKm: 5 },
  { latitude: 0, longitude: 179.99, radiusKm: 5 },
  { latitude: 89.95, longitude: 0, radiusKm: 30 },
];

const ids = async (input: SearchFilterInput, keys: boolean) => {
  const filter = checkSearch(input, 'START', (_, id) => id);
  const rows = await db.$queryRaw<{ id: string }[]>(searchPageSql(filter, 'START', ANONYMOUS, 100_000, undefined, { keys }));
  return rows.map((r) => r.id);
};

describe('search keys', () => {
  it('find what the plain radius and range find, in the same order', async () => {
    let keyed = 0;
    let found = 0;
    for (const near of [undefined, ...circles])
      for (const range of ranges)
        for (const text of [undefined, 'rock']) {
          const input = { ...range, ...(near ? { near } : {}), ...(text ? { text } : {}) };
          const plain = await ids(input, false);
          expect([input, await ids(input, true)]).toEqual([input, plain]);
          if ((near && placeKeys(near)) || timeKeys(range.from ?? null, range.to ?? null)) keyed++;
          if (plain.length) found++;
        }
    // most filters use keys, and most find something: the comparison is not between empty lists
    expect(keyed).toBeGreaterThan(100);
    expect(found).toBeGreaterThan(100);
  }, 120_000);

  it('are in a GIN index without a pending list, which every search would scan against every key', async () => {
    const [index] = await db.$queryRaw<{ options: string[] }[]>(
      Prisma.sql`SELECT reloptions AS "options" FROM pg_class WHERE oid = '"Event_searchDocument_idx"'::regclass`,
    );
    expect(index!.options).toEqual(['fastupdate=off']);
  });
});

const SEARCH = `query($filter: EventSearchFilter, $first: Int) {
  searchEvents(filter: $filter, first: $first) { totalCount totalCountIsEstimate edges { node { id } } }
}`;
const search = async (filter: Record<string, unknown>, first = 20) => {
  const { body } = await platform.request<{ searchEvents: any }>(SEARCH, { filter, first }, { token: null });
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!.searchEvents as { totalCount: number; totalCountIsEstimate: boolean; edges: { node: { id: string } }[] };
};

describe('totalCount', () => {
  it('is exact, and says so, up to EXACT_COUNT_LIMIT matches', async () => {
    const filter = { text: tag, near: { ...COLOGNE, radiusKm: 25 }, from: '2027-04-04T00:00:00Z', to: '2027-05-04T00:00:00Z' };
    const plain = await ids({ ...filter, from: new Date(filter.from), to: new Date(filter.to) }, false);
    expect(plain.length).toBeGreaterThan(3);
    const first = await search(filter, 2);
    expect(first).toMatchObject({ totalCount: plain.length, totalCountIsEstimate: false });
    expect(first.edges.map((e) => e.node.id)).toEqual(plain.slice(0, 2));
  });

  it('is the estimate of a larger result, flagged as one, with the same page', async () => {
    const crowd = `crowd${tag}`;
    const rows = Array.from({ length: EXACT_COUNT_LIMIT + 200 }, (_, n) => ({
      title: `${crowd} ${n}`,
      startsAt: new Date(Date.UTC(2028, 0, 1) + n * 3_600_000).toISOString(),
      endsAt: new Date(Date.UTC(2028, 0, 1) + n * 3_600_000 + 1_800_000).toISOString(),
      latitude: 10 + (n % 100) / 1000,
      longitude: 10,
    }));
    await insert(rows);
    await db.$executeRawUnsafe('ANALYZE "Event"');
    const all = await search({ text: crowd });
    expect(all.totalCountIsEstimate).toBe(true);
    expect(all.totalCount).toBeGreaterThan(EXACT_COUNT_LIMIT);
    expect(all.edges.map((e) => e.node.id)).toEqual((await ids({ text: crowd }, false)).slice(0, 20));
    // a narrower search of the same events is counted
    const day = await search({ text: crowd, from: '2028-01-02T00:00:00Z', to: '2028-01-03T00:00:00Z' });
    expect(day).toMatchObject({ totalCount: 24, totalCountIsEstimate: false });
    // the flag alone, without the count, and a page without either
    const { body } = await platform.request<{ searchEvents: { totalCountIsEstimate: boolean; edges: unknown[] } }>(
      `query($f: EventSearchFilter) { a: searchEvents(filter: $f) { totalCountIsEstimate } b: searchEvents(filter: $f, first: 3) { edges { cursor } } }`,
      { f: { text: crowd } },
    );
    expect(body.data).toEqual({
      a: { totalCountIsEstimate: true },
      b: { edges: [expect.anything(), expect.anything(), expect.anything()] },
    });
  }, 120_000);
});
